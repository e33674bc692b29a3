# scenarios/: the scenario language. scenarios/loader/ is the one loader
# (GLib + libyaml, not part of the sans-I/O core) that every host uses.
SCEN_SRCS := $(sort $(wildcard scenarios/loader/*.c))
SCEN_OBJS = $(SCEN_SRCS:%.c=$(BUILD)/obj/%.o)
SCEN_LIB := $(BUILD)/libaeroscenario.a

$(SCEN_LIB): $(SCEN_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

-include $(SCEN_OBJS:.o=.d)

# aero-scenario: check a manifest, print it as JSON, export positions.
SCENTOOL_SRCS := $(sort $(wildcard scenarios/tools/*.c))
SCENTOOL_OBJS = $(SCENTOOL_SRCS:%.c=$(BUILD)/obj/%.o)
ifneq ($(SCENTOOL_SRCS),)
TOOL_PROGS += $(BUILD)/aero-scenario
endif

$(BUILD)/aero-scenario: $(SCENTOOL_OBJS) $(SCEN_LIB) $(CORE_LIB)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(GLIB_LIBS) $(NETTLE_LIBS) $(YAML_LIBS) $(MATH_LIBS)

-include $(SCENTOOL_SRCS:%.c=$(BUILD)/obj/%.d)
