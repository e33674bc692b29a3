/*
 * emu/aerod/fpload.c -- the loader of aerod's eBPF data path
 * (fastpath.bpf.c, built into aerod as a byte array): the six maps of
 * fastpath_maps.h and the two programs, with the map loads of the ELF
 * object patched to the maps (the only relocations it has; no libbpf).
 * Used by fastpath.c and by tests/unit/test_emu_fastpath.c, which runs the
 * ingress program on crafted packets (BPF_PROG_TEST_RUN).
 */
#include "fpload.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern const unsigned char aerod_fastpath_obj[];
extern const unsigned int aerod_fastpath_obj_len;

static const char *const map_sym[FPM_COUNT] = {
	"fp_cfg", "fp_ro", "fp_fib", "fp_trust", "fp_accept", "fp_stats",
};

G_DEFINE_QUARK(aerod-fastpath-error, fp_error)

long
fp_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof *a);
}

static int
map_create(const char *name, unsigned type, unsigned ksz, unsigned vsz,
           unsigned max, unsigned flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = type;
	a.key_size = ksz;
	a.value_size = vsz;
	a.max_entries = max;
	a.map_flags = flags;
	g_strlcpy(a.map_name, name, sizeof a.map_name);
	return (int)fp_bpf(BPF_MAP_CREATE, &a);
}

int
fp_map_op(int cmd, int fd, const void *k, void *v, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)k;
	a.value = (uintptr_t)v; /* next_key for GET_NEXT_KEY */
	a.flags = flags;
	return (int)fp_bpf(cmd, &a);
}

/* ---- the ELF object ------------------------------------------------------------ */

static const Elf64_Shdr *
sect(const Elf64_Ehdr *eh, const char *name)
{
	const Elf64_Shdr *sh = (const void *)((const uint8_t *)eh + eh->e_shoff);
	const char *names = (const char *)eh + sh[eh->e_shstrndx].sh_offset;
	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

static int
prog_load(const struct fp_obj *fp, const char *secname, unsigned type, GError **err)
{
	const uint8_t *obj = aerod_fastpath_obj;
	const Elf64_Ehdr *eh = (const void *)obj;
	if (aerod_fastpath_obj_len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_machine != EM_BPF) {
		g_set_error(err, fp_error_quark(), 0, "fastpath: bad BPF object");
		return -1;
	}
	const Elf64_Shdr *prog = sect(eh, secname), *symtab = sect(eh, ".symtab"),
	                 *strtab = sect(eh, ".strtab"), *lic = sect(eh, "license");
	char relname[64];
	g_snprintf(relname, sizeof relname, ".rel%s", secname);
	const Elf64_Shdr *rel = sect(eh, relname);
	if (!prog || !symtab || !strtab || !lic) {
		g_set_error(err, fp_error_quark(), 0, "fastpath: %s missing", secname);
		return -1;
	}
	size_t ninsn = prog->sh_size / sizeof(struct bpf_insn);
	struct bpf_insn *insn = g_memdup2(obj + prog->sh_offset, prog->sh_size);
	const Elf64_Sym *syms = (const void *)(obj + symtab->sh_offset);
	const char *str = (const char *)obj + strtab->sh_offset;
	for (size_t i = 0; rel && i < rel->sh_size / sizeof(Elf64_Rel); i++) {
		const Elf64_Rel *r = (const void *)(obj + rel->sh_offset + i * sizeof(Elf64_Rel));
		const char *name = str + syms[ELF64_R_SYM(r->r_info)].st_name;
		size_t at = r->r_offset / sizeof(struct bpf_insn);
		int m = -1;
		for (int k = 0; k < FPM_COUNT; k++)
			if (!strcmp(name, map_sym[k]))
				m = k;
		if (m < 0 || at >= ninsn || insn[at].code != (BPF_LD | BPF_IMM | BPF_DW)) {
			g_set_error(err, fp_error_quark(), 0,
			            "fastpath: %s: unexpected relocation of '%s'", secname, name);
			g_free(insn);
			return -1;
		}
		insn[at].src_reg = BPF_PSEUDO_MAP_FD;
		insn[at].imm = fp->map[m];
	}
	static char log[65536];
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.prog_type = type;
	a.insns = (uintptr_t)insn;
	a.insn_cnt = (uint32_t)ninsn;
	a.license = (uintptr_t)(obj + lic->sh_offset);
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof log;
	a.log_level = 1;
	g_strlcpy(a.prog_name, strchr(secname, '/') ? "aero_fp_" : "aero_fp", sizeof a.prog_name);
	g_strlcat(a.prog_name, strchr(secname, '/') ? strchr(secname, '/') + 1 : "", sizeof a.prog_name);
	log[0] = 0;
	int fd = (int)fp_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0 && errno == ENOSPC) { /* log too small: load without it */
		a.log_level = 0;
		a.log_buf = 0;
		a.log_size = 0;
		fd = (int)fp_bpf(BPF_PROG_LOAD, &a);
	}
	int e = errno;
	g_free(insn);
	if (fd < 0) {
		size_t n = strlen(log);
		g_warning("fastpath: the verifier's log of %s (end):\n%s", secname,
		          n > 2048 ? log + n - 2048 : log);
		g_set_error(err, fp_error_quark(), 0,
		            "fastpath: loading %s: %s", secname, g_strerror(e));
	}
	return fd;
}

int
fp_obj_load(struct fp_obj *o, GError **err)
{
	for (int i = 0; i < FPM_COUNT; i++)
		o->map[i] = -1;
	o->prog_xmit = o->prog_in = -1;
	o->map[FPM_CFG] = map_create("aero_fp_cfg", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct fp_cfg), 1, 0);
	o->map[FPM_RO] = map_create("aero_fp_ro", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct fp_lpm_key),
	                            sizeof(struct fp_route), FP_MAX_ROUTES, BPF_F_NO_PREALLOC);
	o->map[FPM_FIB] = map_create("aero_fp_fib", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct fp_lpm_key),
	                             sizeof(struct fp_route), FP_MAX_ROUTES, BPF_F_NO_PREALLOC);
	o->map[FPM_TRUST] = map_create("aero_fp_trust", BPF_MAP_TYPE_HASH, sizeof(struct fp_loc4),
	                               4, FP_MAX_TRUST, 0);
	o->map[FPM_ACCEPT] = map_create("aero_fp_accept", BPF_MAP_TYPE_LPM_TRIE,
	                                sizeof(struct fp_lpm_key), sizeof(struct fp_accept),
	                                FP_MAX_ACCEPT, BPF_F_NO_PREALLOC);
	o->map[FPM_STATS] = map_create("aero_fp_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, FPS_COUNT, 0);
	for (int i = 0; i < FPM_COUNT; i++) {
		if (o->map[i] < 0) {
			g_set_error(err, fp_error_quark(), 0,
			            "--fastpath: creating the BPF map %s: %s (root, Linux with BPF)",
			            map_sym[i], g_strerror(errno));
			fp_obj_close(o);
			return -1;
		}
	}
	if ((o->prog_xmit = prog_load(o, "lwt/xmit", BPF_PROG_TYPE_LWT_XMIT, err)) < 0 ||
	    (o->prog_in = prog_load(o, "tc/ingress", BPF_PROG_TYPE_SCHED_CLS, err)) < 0) {
		fp_obj_close(o);
		return -1;
	}
	return 0;
}

void
fp_obj_close(struct fp_obj *o)
{
	int *fds[] = {&o->prog_xmit, &o->prog_in};
	for (size_t i = 0; i < G_N_ELEMENTS(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	o->prog_xmit = o->prog_in = -1;
	for (int i = 0; i < FPM_COUNT; i++) {
		if (o->map[i] >= 0)
			close(o->map[i]);
		o->map[i] = -1;
	}
}
