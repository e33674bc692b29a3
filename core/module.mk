# core/: the sans-I/O protocol library (libaerocore.a) and its tools.
# WIRE_ONLY="dhcp6 nd" builds only common.c and core/src/wire/<name>*.c
# (lets one codec be built while another is half-written).
ifeq ($(WIRE_ONLY),)
CORE_SRCS += $(sort $(wildcard core/src/wire/*.c) $(wildcard core/src/*.c))
else
CORE_SRCS += core/src/wire/common.c $(sort $(foreach w,$(WIRE_ONLY),$(wildcard core/src/wire/$(w)*.c)))
endif

# aero-decode: the command-line decoder for people (hex or pcap in, JSON out).
DECODE_SRCS := $(sort $(wildcard core/tools/*.c))
DECODE_OBJS = $(DECODE_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL_PROGS += $(BUILD)/aero-decode

$(BUILD)/aero-decode: $(DECODE_OBJS) $(CORE_LIB)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(GLIB_LIBS) $(NETTLE_LIBS) $(PCAP_LIBS)

-include $(DECODE_SRCS:%.c=$(BUILD)/obj/%.d)
