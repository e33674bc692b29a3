/*
 * emu/aerod/fpload.h -- loading aerod's eBPF data path (fpload.c): the maps
 * of fastpath_maps.h and the two programs of fastpath.bpf.c. Only GLib and
 * the kernel's headers: also linked by the unit test of the programs.
 */
#ifndef AEROD_FPLOAD_H
#define AEROD_FPLOAD_H

#include <glib.h>
#include <linux/bpf.h>
#include <stdint.h>

#include "fastpath_maps.h"

enum { FPM_CFG, FPM_RO, FPM_FIB, FPM_TRUST, FPM_ACCEPT, FPM_STATS, FPM_COUNT };

struct fp_obj {
	int map[FPM_COUNT];
	int prog_xmit;  /* BPF_PROG_TYPE_LWT_XMIT, for routes through the AERO TUN */
	int prog_in;    /* BPF_PROG_TYPE_SCHED_CLS, tcx ingress of the underlay */
};

/* Create the maps and load both programs; 0, or -1 with *err set (the
 * verifier's log goes to g_warning). */
int fp_obj_load(struct fp_obj *o, GError **err);
void fp_obj_close(struct fp_obj *o);
long fp_bpf(int cmd, union bpf_attr *a);
GQuark fp_error_quark(void);
/* BPF_MAP_LOOKUP_ELEM / UPDATE_ELEM / DELETE_ELEM / GET_NEXT_KEY (v: the
 * value or the next key) */
int fp_map_op(int cmd, int fd, const void *k, void *v, uint64_t flags);

#endif
