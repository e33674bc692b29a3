# core/: the sans-I/O protocol library (libaerocore.a) and its tools.
CORE_SRCS += $(sort $(wildcard core/src/wire/*.c) $(wildcard core/src/*.c))

# aero-decode: the command-line decoder for people (hex or pcap in, JSON out).
DECODE_SRCS := $(sort $(wildcard core/tools/*.c))
DECODE_OBJS = $(DECODE_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL_PROGS += $(BUILD)/aero-decode

$(BUILD)/aero-decode: $(DECODE_OBJS) $(CORE_LIB)
	$(CC) $(BASE_LDFLAGS) -o $@ $^ $(GLIB_LIBS) $(PCAP_LIBS)

-include $(DECODE_SRCS:%.c=$(BUILD)/obj/%.d)
