/*
 * core/src/pool.h -- the Server's delegated-prefix pools and its binding
 * table (digest 1.2, 6.3, 7.2).
 *
 * A binding is one (client DUID, IAID) -> delegated prefix, in state BOUND,
 * STALE (NUD failed, route kept) or HOLD (released or expired: the prefix
 * is kept out of circulation for the grace period, and only the same
 * DUID+IAID may have it back). Two indices find a binding: by (DUID, IAID)
 * and by prefix. Allocation is deterministic: a hint is honoured when it
 * names a free prefix inside a pool, else a per-pool cursor walks to the
 * next free prefix.
 *
 * Pure bookkeeping: no node, no timers, no events. The role (role_server.c)
 * owns the binding timer (b->t) and must tmr_cancel it before
 * pool_release(); pool_free() calls back once per binding for that.
 *
 * Memory: the target is 10^6 bindings in well under 1 GiB together with
 * their neighbour cache entries and routes, so a binding is one allocation
 * of ~64 bytes + the DUID (inline), and each index is a GHashTable set
 * (one pointer + one hash per slot).
 */
#ifndef AERO_POOL_H
#define AERO_POOL_H

#include "node.h"

enum binding_state { BND_BOUND, BND_STALE, BND_HOLD };
extern const char *const binding_state_name[];

#define POOL_NONE 0xff /* binding not from a local pool (relay snooping) */

struct binding {
	struct tmr t;             /* BOUND/STALE: valid lifetime; HOLD: grace */
	struct aero_in6 prefix;   /* masked to plen */
	aero_tstamp valid_until;  /* AERO_TSTAMP_NONE = infinite */
	aero_tstamp pref_until;
	uint32_t iaid;
	uint8_t plen;
	uint8_t state;            /* enum binding_state */
	uint8_t pool;             /* index in the pool list, or POOL_NONE */
	uint8_t duid_len;         /* 3..130 */
	uint8_t duid[];           /* the client DUID as on the wire */
};

struct pool;

/* Results of pool_alloc / pool_claim. */
enum pool_err {
	POOL_OK = 0,
	POOL_FULL,       /* max_bindings reached */
	POOL_EXHAUSTED,  /* no free prefix of a suitable pool */
	POOL_TAKEN,      /* the requested prefix is bound or held */
	POOL_OUTSIDE,    /* the requested prefix is in no pool */
	POOL_EXISTS,     /* a binding for this DUID+IAID already exists */
	POOL_INVAL,      /* DUID length out of 3..130 */
};
const char *pool_strerror(enum pool_err e);

/* New pool set over pools[0..n) (deleg_len - plen <= 40 each; a pool that
 * overlaps an earlier one is ignored and reported by pool_ignored()). At
 * most max_bindings bindings, every state counted. */
struct pool *pool_new(const struct aero_pool *pools, size_t n, size_t max_bindings);
/* Free everything; fn (may be NULL) runs once per binding first. */
void pool_free(struct pool *p, void (*fn)(struct binding *b, void *arg),
               void *arg);

struct binding *pool_find(struct pool *p, const uint8_t *duid, size_t duid_len,
                          uint32_t iaid);
/* The binding (any state) of exactly prefix/plen, or NULL. */
struct binding *pool_by_prefix(struct pool *p, const struct aero_in6 *prefix,
                               uint8_t plen);

/* The prefix pool_alloc would give for hint (NULL or plen 0 = none),
 * without allocating (Advertise). Returns POOL_OK with *out filled,
 * POOL_FULL or POOL_EXHAUSTED. */
enum pool_err pool_peek(struct pool *p, const struct aero_prefix *hint,
                        struct aero_prefix *out);
/* New BOUND binding for DUID+IAID with a prefix chosen from hint (see the
 * file comment). Lifetimes and timer are the caller's (b->t is tmr_init'd
 * with fn). NULL with *err set on failure (POOL_EXISTS when the DUID+IAID
 * already has one: use pool_find first). */
struct binding *pool_alloc(struct pool *p, const uint8_t *duid, size_t duid_len,
                           uint32_t iaid, const struct aero_prefix *hint,
                           tmr_fn fn, enum pool_err *err);
/* New BOUND binding of exactly prefix/plen: inside a pool and of its
 * delegation length (Rebind recovery), or anywhere when !pool_only (relay
 * snooping; b->pool = POOL_NONE outside pools). */
struct binding *pool_claim(struct pool *p, const uint8_t *duid, size_t duid_len,
                           uint32_t iaid, const struct aero_in6 *prefix,
                           uint8_t plen, bool pool_only, tmr_fn fn,
                           enum pool_err *err);
/* Call fn for every binding (all states) in prefix order. */
void pool_foreach(struct pool *p, void (*fn)(struct binding *b, void *arg),
                  void *arg);
/* Remove b from both indices and free it (cancel b->t first). */
void pool_release(struct pool *p, struct binding *b);

/* Index of the pool that contains prefix/plen with plen == its delegation
 * length, or -1. */
int pool_index_of(const struct pool *p, const struct aero_in6 *prefix,
                  uint8_t plen);
size_t pool_count(const struct pool *p);           /* bindings, all states */
size_t pool_count_state(const struct pool *p, enum binding_state s);
/* Change b's state (keeps the per-state counts right). */
void pool_set_state(struct pool *p, struct binding *b, enum binding_state s);
size_t pool_n(const struct pool *p);               /* pools in use */
const struct aero_pool *pool_get(const struct pool *p, size_t i);
uint64_t pool_size(const struct pool *p, size_t i); /* prefixes in pool i */
uint64_t pool_used(const struct pool *p, size_t i); /* bound or held */
size_t pool_ignored(const struct pool *p);          /* overlapping pools */
/* Every binding, sorted by prefix (for dumps and shutdown); at most max
 * (0 = all). g_ptr_array_unref the result. */
GPtrArray *pool_list(struct pool *p, size_t max);

#endif
