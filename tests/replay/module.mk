# tests/replay/: aero-replay (./aero replay), its regression cases
# (tests/replay/cases.txt, run by tests/cli/t_replay.sh in `make test`),
# `make golden-update`, the replay benchmark and the pcap fuzz target.
REPLAY_LIB_SRCS := tests/replay/replay.c tests/replay/synth.c core/tools/json_packet.c \
	core/tools/json_ip.c core/tools/json_seal.c core/tools/json_nd.c \
	core/tools/json_dhcp6.c
REPLAY_OBJS = $(REPLAY_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL_PROGS += $(BUILD)/aero-replay $(BUILD)/aero-replay-gen
BENCH_PROGS += $(BUILD)/bench/bench_replay

$(BUILD)/aero-replay: $(BUILD)/obj/tests/replay/aero-replay.o $(REPLAY_OBJS) $(SCEN_LIB) $(CORE_LIB)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(GLIB_LIBS) $(NETTLE_LIBS) $(PCAP_LIBS) $(YAML_LIBS) $(MATH_LIBS)

$(BUILD)/aero-replay-gen: $(BUILD)/obj/tests/replay/gen.o $(REPLAY_OBJS) $(CORE_LIB)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(GLIB_LIBS) $(NETTLE_LIBS)

$(BUILD)/bench/bench_replay: $(BUILD)/obj/tests/replay/bench_replay.o $(REPLAY_OBJS) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(GLIB_LIBS) $(NETTLE_LIBS)

-include $(BUILD)/obj/tests/replay/aero-replay.d $(BUILD)/obj/tests/replay/bench_replay.d $(BUILD)/obj/tests/replay/gen.d \
	$(REPLAY_OBJS:.o=.d)

# fuzz_pcap: libpcap's reader over fmemopen'd bytes, then our link-layer
# stripping, classification and one Server node (tests/fuzz/fuzz_pcap.c).
$(FUZZ_BUILD)/fuzz_pcap: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_pcap.o $(REPLAY_LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o) \
		$(CORE_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o) $(SCEN_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(GLIB_LIBS) $(NETTLE_LIBS) $(PCAP_LIBS) $(YAML_LIBS) $(MATH_LIBS)

.PHONY: golden-update replay
replay: $(BUILD)/aero-replay

# Regenerate the expected outputs of every case in tests/replay/cases.txt;
# review the diff (git diff tests/replay/golden) like code.
golden-update: $(BUILD)/aero-replay
	@AERO_BUILD=$(BUILD) tests/replay/run-cases.sh --update
