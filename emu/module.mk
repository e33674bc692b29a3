# emu/: the emulation host. aerod (one process per emulated node hosting one
# core node), aeroctl (its control client), aero-impair (the one user-space
# link impairment: delay, jitter, loss on every emulated link, over NFQUEUE).
DEB_PACKAGES += libjson-glib-dev libnetfilter-queue-dev libmnl-dev iptables dnsmasq-base ndisc6 python3-scapy babeld \
	mininet openvswitch-switch iperf3 ethtool bird2 tcpdump iproute2

EMU_CFLAGS = $(shell pkg-config --cflags json-glib-1.0 gio-unix-2.0)
EMU_LIBS = $(shell pkg-config --libs json-glib-1.0 gio-unix-2.0)
NFQ_LIBS = $(shell pkg-config --libs libnetfilter_queue libmnl)

AEROD_SRCS := $(sort $(filter-out %.bpf.c,$(wildcard emu/aerod/*.c)))
AEROD_OBJS = $(AEROD_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/emu/aerod/fastpath_obj.o

# aerod --fastpath: the eBPF data path, compiled for the BPF target and built
# into aerod as a byte array (no file to find at run time, no libbpf)
BPF_CLANG ?= clang
$(BUILD)/obj/emu/aerod/fastpath.bpf.o: emu/aerod/fastpath.bpf.c emu/aerod/fastpath_maps.h
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -O2 -target bpf -I/usr/include/$(shell gcc -dumpmachine) -Wall -Wextra -Werror -c $< -o $@
$(BUILD)/obj/emu/aerod/fastpath_obj.c: $(BUILD)/obj/emu/aerod/fastpath.bpf.o
	( echo '/* generated from emu/aerod/fastpath.bpf.c */'; \
	  echo 'const unsigned char aerod_fastpath_obj[] = {'; xxd -i < $<; echo '};'; \
	  echo 'const unsigned int aerod_fastpath_obj_len = sizeof aerod_fastpath_obj;' ) > $@
$(BUILD)/obj/emu/aerod/fastpath_obj.o: $(BUILD)/obj/emu/aerod/fastpath_obj.c
	$(CC) -c $< -o $@
TOOL_PROGS += $(BUILD)/aerod $(BUILD)/aeroctl $(BUILD)/aero-impair

$(AEROD_OBJS) $(BUILD)/obj/emu/aeroctl.o: CFLAGS_ALL += $(EMU_CFLAGS) -Iscenarios/loader

$(BUILD)/aerod: $(AEROD_OBJS) $(SCEN_LIB) $(CORE_LIB)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(EMU_LIBS) $(GLIB_LIBS) $(YAML_LIBS) $(MATH_LIBS) $(NETTLE_LIBS) $(PCAP_LIBS)

$(BUILD)/aeroctl: $(BUILD)/obj/emu/aeroctl.o
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(EMU_LIBS) $(GLIB_LIBS)

$(BUILD)/aero-impair: $(BUILD)/obj/emu/impair/aero-impair.o
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(NFQ_LIBS) $(GLIB_LIBS) $(MATH_LIBS)

-include $(AEROD_OBJS:.o=.d) $(BUILD)/obj/emu/aeroctl.d $(BUILD)/obj/emu/impair/aero-impair.d

TEST_SCRIPTS += $(sort $(wildcard tests/emu/t_*.sh))

# `make bench-emu`: overlay vs kernel VXLAN vs veth, set-up time and memory
# (root; numbers printed side by side, not pass/fail). See emu/bench/.
.PHONY: bench-emu
bench-emu: $(BUILD)/aerod $(BUILD)/aeroctl
	AERO_BUILD=$(BUILD) emu/bench/bench-emu.sh
