# sim-adapter/: the ns-3 3.37 host (C++17, Debian's libns3-dev through
# pkg-config; Debian's build has no MPI and no Python bindings) and its
# runner aero-sim behind `./aero sim`. Links the static core and scenario
# libraries. ns-3 code is compiled with -O1 (2-core machines).
DEB_PACKAGES += libns3-dev libgsl-dev g++

CXX ?= g++
ifeq ($(CXX),c++)
CXX := g++
endif
NS3_MODULES := ns3-core ns3-network ns3-internet ns3-csma ns3-wifi ns3-mobility \
	ns3-olsr ns3-aodv ns3-virtual-net-device ns3-applications ns3-internet-apps
# pkg-config --cflags of Debian's ns-3 is broken ("-I/usr\;"): the headers
# live in /usr/include/ns3, which needs no -I.
NS3_LIBS = -Wl,--no-as-needed $(shell pkg-config --libs $(NS3_MODULES)) -Wl,--as-needed
NS3_OPT ?= -O1
SIMAD_CXXFLAGS = -std=c++17 $(NS3_OPT) -g -DNS3_LOG_ENABLE -DNS3_ASSERT_ENABLE \
	-Icore/include -Iscenarios/loader -Wall -Wextra -Wno-unused-parameter $(GLIB_CFLAGS)
ifeq ($(SAN),1)
SIMAD_CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
endif

SIMAD_LIB_SRCS := sim-adapter/aero-application.cc sim-adapter/aero-helper.cc sim-adapter/aero-channel.cc
SIMAD_LIB_OBJS = $(SIMAD_LIB_SRCS:%.cc=$(BUILD)/obj/%.o)
TOOL_PROGS += $(BUILD)/aero-sim

$(BUILD)/obj/sim-adapter/%.o: sim-adapter/%.cc | deps
	@mkdir -p $(dir $@)
	$(CXX) $(SIMAD_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/aero-sim: $(BUILD)/obj/sim-adapter/aero-sim.o $(SIMAD_LIB_OBJS) $(SCEN_LIB) $(CORE_LIB)
	$(CXX) $(BASE_LDFLAGS) -o $@ $^ $(NS3_LIBS) $(GLIB_LIBS) $(NETTLE_LIBS) $(YAML_LIBS) $(MATH_LIBS)

-include $(BUILD)/obj/sim-adapter/aero-sim.d $(SIMAD_LIB_OBJS:.o=.d)

# tests/ns3/: TAP scripts running aero-sim on small scenarios
TEST_SCRIPTS += $(sort $(wildcard tests/ns3/t_*.sh))

# issue 6 benchmarks: AERO vs plain ns-3 on MANETs of 50/100/200 Clients,
# then scale-1000 (see sim-adapter/bench-sim.sh for the knobs)
.PHONY: bench-sim
bench-sim: $(BUILD)/aero-sim
	AERO_BUILD=$(BUILD) sim-adapter/bench-sim.sh
