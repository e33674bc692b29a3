# tests/: GTest unit tests, CLI tests, fuzz targets, benchmarks.
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_PROGS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# tests/sim/: the in-process discrete-event network harness, linked into
# every unit test binary (whole-protocol tests use it).
SIM_SRCS := $(sort $(wildcard tests/sim/*.c))
TESTUTIL_OBJ = $(BUILD)/obj/tests/unit/testutil.o $(BUILD)/obj/core/tools/hexin.o \
	$(SIM_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/obj/tests/unit/testutil.o: CFLAGS_ALL += -DAERO_TESTS_DIR='"$(CURDIR)/tests"'

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TESTUTIL_OBJ) $(SCEN_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(GLIB_LIBS) $(NETTLE_LIBS) $(PCAP_LIBS) $(YAML_LIBS) $(MATH_LIBS)

-include $(UNIT_SRCS:%.c=$(BUILD)/obj/%.d) $(TESTUTIL_OBJ:.o=.d)

TEST_SCRIPTS += $(sort $(wildcard tests/cli/t_*.sh))

FUZZ_TARGETS += $(sort $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))

BENCH_SRCS := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_PROGS += $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(GLIB_LIBS) $(NETTLE_LIBS)

-include $(BENCH_SRCS:%.c=$(BUILD)/obj/%.d)

# the kernel data path's ingress program, run by the kernel (BPF_PROG_TEST_RUN):
# the test includes aerod's loader and links the object built into aerod
$(BUILD)/tests/test_emu_fastpath: $(BUILD)/obj/emu/aerod/fastpath_obj.o
$(BUILD)/obj/tests/unit/test_emu_fastpath.o: CFLAGS_ALL += -Iemu/aerod
