# scenarios/: the scenario language. scenarios/loader/ is the one loader
# (GLib + libyaml, not part of the sans-I/O core) that every host uses.
SCEN_SRCS := $(sort $(wildcard scenarios/loader/*.c))
SCEN_OBJS = $(SCEN_SRCS:%.c=$(BUILD)/obj/%.o)
SCEN_LIB := $(BUILD)/libaeroscenario.a

$(SCEN_LIB): $(SCEN_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

-include $(SCEN_OBJS:.o=.d)
