-- aero.lua -- Wireshark/tshark dissector for what Wireshark does not know
-- about AERO/VET links (see README.md beside this file):
--
--   * AERO on UDP 8060 (digest 3.1): P1 = the inner IPv6 packet right after
--     UDP, handed to Wireshark's IPv6 dissector; P2 = the SEAL shim
--     (digest 3.10: every field; the ICV shown and, given the link key in
--     the preferences, verified with HMAC-SHA1-80) followed by IPv6, IPv4
--     or an SCMP message;
--   * SCMP messages (digest 3.11): SRS/SRA/SNS/SNA/SPD/SRD and the error
--     messages, checksum over the message only (verified);
--   * RFC 6706 Predirect/Redirect (digest 3.6) inside the tunnel on inner
--     UDP 8060 (the message starts with Type 0, Code 0);
--   * the VET and P1 link-layer address options (digest 3.7) and the PIO
--     flags with bit 0x10 shown as X (PIO-X) when the "pio_x" preference is
--     on, else as P (RFC 9762), in an "AERO ND options" tree added beside
--     the IPv6 dissector's tree for ND messages carried over AERO, and in
--     SCMP and RFC 6706 messages.
--
-- Written for Lua 5.2 (Debian 12's tshark 4.0, bit32 library) and Lua 5.3+
-- (native bitwise operators, loaded through load() so that 5.2 still parses
-- this file). SHA-1 and HMAC are implemented here in pure Lua: Wireshark's
-- Lua API exposes no HMAC.

local VERSION = "1.0"

-- ---- bit operations: one shim over bit32 (5.2) and native operators ------
local bit = {}
if bit32 then
	bit.band, bit.bor, bit.bxor, bit.bnot = bit32.band, bit32.bor, bit32.bxor, bit32.bnot
	bit.lshift, bit.rshift, bit.rol = bit32.lshift, bit32.rshift, bit32.lrotate
else
	local f = assert(load([[
		local M = 0xffffffff
		return {
			band = function(a, b) return (a & b) & M end,
			bor = function(a, b) return (a | b) & M end,
			bxor = function(a, b) return (a ~ b) & M end,
			bnot = function(a) return (~a) & M end,
			lshift = function(a, n) return (a << n) & M end,
			rshift = function(a, n) return (a & M) >> n end,
			rol = function(a, n) a = a & M; return ((a << n) | (a >> (32 - n))) & M end,
		}]]))
	bit = f()
end
local band, bor, bxor, bnot, rol = bit.band, bit.bor, bit.bxor, bit.bnot, bit.rol
local rshift = bit.rshift
local TWO32 = 4294967296

-- ---- SHA-1 (FIPS 180-4) and HMAC (RFC 2104) over Lua strings -------------
local function be32(n)
	return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
		math.floor(n / 256) % 256, n % 256)
end

local function sha1(msg)
	local h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
	local ml = #msg * 8
	msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) ..
		be32(math.floor(ml / TWO32)) .. be32(ml % TWO32)
	local w = {}
	for chunk = 1, #msg, 64 do
		for i = 0, 15 do
			local a, b, c, d = msg:byte(chunk + i * 4, chunk + i * 4 + 3)
			w[i] = ((a * 256 + b) * 256 + c) * 256 + d
		end
		for i = 16, 79 do
			w[i] = rol(bxor(bxor(w[i - 3], w[i - 8]), bxor(w[i - 14], w[i - 16])), 1)
		end
		local a, b, c, d, e = h0, h1, h2, h3, h4
		for i = 0, 79 do
			local f, k
			if i < 20 then
				f = bor(band(b, c), band(bnot(b), d)); k = 0x5A827999
			elseif i < 40 then
				f = bxor(bxor(b, c), d); k = 0x6ED9EBA1
			elseif i < 60 then
				f = bor(bor(band(b, c), band(b, d)), band(c, d)); k = 0x8F1BBCDC
			else
				f = bxor(bxor(b, c), d); k = 0xCA62C1D6
			end
			local t = (rol(a, 5) + f + e + k + w[i]) % TWO32
			e = d; d = c; c = rol(b, 30); b = a; a = t
		end
		h0 = (h0 + a) % TWO32; h1 = (h1 + b) % TWO32; h2 = (h2 + c) % TWO32
		h3 = (h3 + d) % TWO32; h4 = (h4 + e) % TWO32
	end
	return be32(h0) .. be32(h1) .. be32(h2) .. be32(h3) .. be32(h4)
end

local function xor_pad(key, byte)
	local t = {}
	for i = 1, 64 do
		t[i] = string.char(bxor(key:byte(i) or 0, byte))
	end
	return table.concat(t)
end

local function hmac_sha1(key, msg)
	if #key > 64 then key = sha1(key) end
	return sha1(xor_pad(key, 0x5c) .. sha1(xor_pad(key, 0x36) .. msg))
end

local function tohex(s)
	return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local function fromhex(h)
	h = h:gsub("[%s:%-]", "")
	if h:find("[^%x]") or #h % 2 == 1 then return nil end
	return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end))
end

-- The self-test of the digest's TV9 (RFC 2202 case 1) runs at load time.
assert(tohex(hmac_sha1(string.rep("\11", 20), "Hi There")) ==
	"b617318655057264e28bc0b6fb378c8ef146be00", "aero.lua: HMAC-SHA1 self-test failed")

-- ---- protocol and fields ----------------------------------------------------
local aero = Proto("aero", "AERO/VET link (SEAL P2 shim, SCMP, RFC 6706, AERO ND options)")

local NH = { [4] = "IPv4", [41] = "IPv6", [58] = "SCMP" }
local SCMP_TYPES = {
	[1] = "Destination Unreachable", [2] = "Packet Too Big", [3] = "Time Exceeded",
	[4] = "Parameter Problem", [133] = "SRS", [134] = "SRA", [135] = "SNS",
	[136] = "SNA", [137] = "SPD/SRD",
}

local f = {
	profile = ProtoField.string("aero.profile", "Profile"),
	seal = ProtoField.bytes("aero.seal", "SEAL shim"),
	nexthdr = ProtoField.uint8("aero.seal.nexthdr", "NEXTHDR", base.DEC, NH),
	ver = ProtoField.uint8("aero.seal.ver", "VER", base.DEC, nil, 0xc0),
	c = ProtoField.bool("aero.seal.c", "C (SCMP follows)", 8, nil, 0x20),
	a = ProtoField.bool("aero.seal.a", "A (elicit SCMP response)", 8, nil, 0x10),
	r = ProtoField.bool("aero.seal.r", "R (accepts redirects)", 8, nil, 0x08),
	i = ProtoField.bool("aero.seal.i", "I (ICV present)", 8, nil, 0x04),
	rsvbits = ProtoField.uint8("aero.seal.rsv_bits", "Reserved bits", base.HEX, nil, 0x03),
	link_id = ProtoField.uint8("aero.seal.link_id", "LINK_ID"),
	reserved = ProtoField.uint8("aero.seal.reserved", "Reserved"),
	id = ProtoField.uint32("aero.seal.id", "Identification", base.DEC),
	icv_f = ProtoField.uint8("aero.seal.icv.f", "ICV F", base.DEC, nil, 0x80),
	icv_key = ProtoField.uint8("aero.seal.icv.key", "ICV Key", base.DEC, nil, 0x60),
	icv_alg = ProtoField.uint8("aero.seal.icv.alg", "ICV Algorithm", base.DEC,
		{ [0] = "HMAC-SHA1-80" }, 0x1f),
	icv = ProtoField.bytes("aero.seal.icv", "ICV"),
	icv_status = ProtoField.string("aero.seal.icv.status", "ICV status"),
	icv_good = ProtoField.bool("aero.seal.icv.good", "ICV good"),
	icv_computed = ProtoField.string("aero.seal.icv.computed", "ICV computed"),
	pad = ProtoField.uint8("aero.seal.pad", "Pad"),

	scmp = ProtoField.bytes("aero.scmp", "SCMP"),
	scmp_type = ProtoField.uint8("aero.scmp.type", "Type", base.DEC, SCMP_TYPES),
	scmp_code = ProtoField.uint8("aero.scmp.code", "Code"),
	scmp_csum = ProtoField.uint16("aero.scmp.checksum", "Checksum", base.HEX),
	scmp_csum_good = ProtoField.bool("aero.scmp.checksum.good", "Checksum good"),
	scmp_p = ProtoField.bool("aero.scmp.p", "P (Predirect)", 8, nil, 0x80),
	scmp_v = ProtoField.bool("aero.scmp.v", "V (Authentication Key follows)", 8, nil, 0x40),
	scmp_rsv = ProtoField.uint32("aero.scmp.reserved", "Reserved", base.HEX),
	scmp_target = ProtoField.ipv6("aero.scmp.target", "Target"),
	scmp_dest = ProtoField.ipv6("aero.scmp.dest", "Destination"),
	scmp_ak_f = ProtoField.uint8("aero.scmp.auth.f", "Auth Key F", base.DEC, nil, 0x80),
	scmp_ak_key = ProtoField.uint8("aero.scmp.auth.key", "Auth Key Key", base.DEC, nil, 0x60),
	scmp_ak_alg = ProtoField.uint8("aero.scmp.auth.alg", "Auth Key Algorithm", base.DEC, nil, 0x1f),
	scmp_esk = ProtoField.bytes("aero.scmp.auth.esk", "ESK (encrypted key)"),
	scmp_mtu = ProtoField.uint32("aero.scmp.mtu", "MTU"),
	scmp_pointer = ProtoField.uint32("aero.scmp.pointer", "Pointer"),
	scmp_invoking = ProtoField.bytes("aero.scmp.invoking", "Packet in error"),
	scmp_ra_hlim = ProtoField.uint8("aero.scmp.ra.cur_hop_limit", "Cur Hop Limit"),
	scmp_ra_flags = ProtoField.uint8("aero.scmp.ra.flags", "Flags", base.HEX),
	scmp_ra_life = ProtoField.uint16("aero.scmp.ra.router_lifetime", "Router Lifetime"),
	scmp_ra_reach = ProtoField.uint32("aero.scmp.ra.reachable_time", "Reachable Time"),
	scmp_ra_retrans = ProtoField.uint32("aero.scmp.ra.retrans_timer", "Retrans Timer"),

	r6706 = ProtoField.bytes("aero.rfc6706", "RFC 6706 message"),
	r_type = ProtoField.uint8("aero.rfc6706.type", "Type"),
	r_code = ProtoField.uint8("aero.rfc6706.code", "Code"),
	r_csum = ProtoField.uint16("aero.rfc6706.checksum", "Checksum", base.HEX),
	r_p = ProtoField.bool("aero.rfc6706.p", "P (Predirect)", 8, nil, 0x80),
	r_rsv = ProtoField.uint32("aero.rfc6706.reserved", "Reserved", base.HEX, nil, 0x7fffffff),
	r_kind = ProtoField.string("aero.rfc6706.kind", "Message"),
	r_target = ProtoField.ipv6("aero.rfc6706.target", "Target"),
	r_dest = ProtoField.ipv6("aero.rfc6706.dest", "Destination"),

	nd = ProtoField.string("aero.nd", "AERO ND options"),
	opt_type = ProtoField.uint8("aero.opt.type", "Option type"),
	opt_len = ProtoField.uint8("aero.opt.len", "Option length (8-octet units)"),
	lla_kind = ProtoField.string("aero.lla.kind", "Link-layer address option"),
	lla_form = ProtoField.string("aero.lla.form", "Form"),
	lla_port = ProtoField.uint16("aero.lla.port", "UDP port"),
	lla_link = ProtoField.uint8("aero.lla.link_id", "Link ID"),
	lla_pref = ProtoField.uint8("aero.lla.pref", "Preference"),
	lla_ipv4 = ProtoField.ipv4("aero.lla.ipv4", "IPv4 RLOC"),
	lla_ipv6 = ProtoField.ipv6("aero.lla.ipv6", "IPv6 RLOC"),
	lla_loc = ProtoField.string("aero.lla.locator", "Locator"),
	pio_plen = ProtoField.uint8("aero.pio.plen", "PIO prefix length"),
	pio_flags = ProtoField.uint8("aero.pio.flags", "PIO flags", base.HEX),
	pio_l = ProtoField.bool("aero.pio.l", "L", 8, nil, 0x80),
	pio_a = ProtoField.bool("aero.pio.a", "A", 8, nil, 0x40),
	pio_r = ProtoField.bool("aero.pio.r", "R", 8, nil, 0x20),
	pio_x = ProtoField.bool("aero.pio.x", "X (PIO-X: DHCPv6 PD binding)", 8, nil, 0x10),
	pio_p = ProtoField.bool("aero.pio.p", "P (RFC 9762: DHCPv6-PD preferred)", 8, nil, 0x10),
	pio_valid = ProtoField.uint32("aero.pio.valid", "PIO valid lifetime"),
	pio_pref = ProtoField.uint32("aero.pio.preferred", "PIO preferred lifetime"),
	pio_prefix = ProtoField.ipv6("aero.pio.prefix", "PIO prefix"),
	rio_plen = ProtoField.uint8("aero.rio.plen", "RIO prefix length"),
	rio_prf = ProtoField.uint8("aero.rio.prf", "RIO preference", base.DEC, nil, 0x18),
	rio_life = ProtoField.uint32("aero.rio.lifetime", "RIO route lifetime"),
	rio_prefix = ProtoField.ipv6("aero.rio.prefix", "RIO prefix"),
	rho_len = ProtoField.uint16("aero.rho.length", "RHO original packet bytes"),
	rho_src = ProtoField.ipv6("aero.rho.src", "RHO original source"),
	rho_dst = ProtoField.ipv6("aero.rho.dst", "RHO original destination"),
	mtu = ProtoField.uint32("aero.mtu", "MTU option"),
}
local fl = {}
for _, v in pairs(f) do fl[#fl + 1] = v end
aero.fields = fl

aero.prefs.port = Pref.uint("UDP port", 8060, "AERO UDP port (outer encapsulation and RFC 6706)")
aero.prefs.icv_key = Pref.string("ICV key (hex)", "",
	"P2 link-wide ICV key, 20 bytes of hex: SEAL ICVs are verified when set")
aero.prefs.pio_x = Pref.bool("PIO bit 0x10 is X", false,
	"Show PIO flag 0x10 as X (PIO-X draft, AERO links in pio_x mode) instead of P (RFC 9762)")

local ipv6_dis = Dissector.get("ipv6")
local ip_dis = Dissector.get("ip")

-- ---- helpers ------------------------------------------------------------------
local function csum16(tvb, off, len)
	local s = 0
	for i = 0, len - 1, 2 do
		local hi = tvb(off + i, 1):uint()
		local lo = (i + 1 < len) and tvb(off + i + 1, 1):uint() or 0
		s = s + hi * 256 + lo
	end
	while s > 0xffff do s = (s % 65536) + math.floor(s / 65536) end
	return s
end

local function ipv6_str(tvb, off)
	return tostring(tvb(off, 16):ipv6())
end

-- One ND-style option list (RFC 4861 4.6) with the AERO forms.
local function dissect_options(tvb, off, tree)
	local len = tvb:len()
	while off + 2 <= len do
		local t = tvb(off, 1):uint()
		local l = tvb(off + 1, 1):uint()
		if l == 0 or off + l * 8 > len then
			tree:add(f.opt_type, tvb(off, 1)):append_text(" (bad length " .. l .. ")")
			return
		end
		local o = tvb(off, l * 8)
		if t == 1 or t == 2 then
			local name = t == 1 and "SLLAO" or "TLLAO"
			local st = tree:add(f.lla_kind, o, name)
			st:add(f.opt_type, tvb(off, 1))
			st:add(f.opt_len, tvb(off + 1, 1))
			if l == 1 then
				st:add(f.lla_form, o, "VET IPv4")
				st:add(f.lla_ipv4, tvb(off + 4, 4))
				st:add(f.lla_loc, o, tostring(tvb(off + 4, 4):ipv4()) .. ":8060")
				st:append_text(": VET IPv4 " .. tostring(tvb(off + 4, 4):ipv4()))
			elseif l == 3 then
				local port = tvb(off + 2, 2):uint()
				local lid, pref = tvb(off + 4, 1):uint(), tvb(off + 5, 1):uint()
				local form = (port == 0 and lid == 0 and pref == 0 and tvb(off + 6, 2):uint() == 0)
					and "VET IPv6 / P1 (port 0 = 8060)" or "P1"
				st:add(f.lla_form, o, form)
				st:add(f.lla_port, tvb(off + 2, 2))
				st:add(f.lla_link, tvb(off + 4, 1))
				st:add(f.lla_pref, tvb(off + 5, 1))
				local a = tvb(off + 8, 16)
				local loc
				if a(0, 10):bytes():tohex() == "00000000000000000000" and a(10, 2):uint() == 0xffff then
					st:add(f.lla_ipv4, a(12, 4))
					loc = tostring(a(12, 4):ipv4()) .. ":" .. (port == 0 and 8060 or port)
				else
					st:add(f.lla_ipv6, a)
					loc = "[" .. tostring(a:ipv6()) .. "]:" .. (port == 0 and 8060 or port)
				end
				st:add(f.lla_loc, o, loc)
				st:append_text(": " .. form .. " " .. loc)
			else
				st:append_text(" (length " .. l .. ": not an AERO form)")
			end
		elseif t == 3 and l == 4 then
			local st = tree:add(f.pio_prefix, tvb(off + 16, 16))
			st:prepend_text("PIO: ")
			st:add(f.pio_plen, tvb(off + 2, 1))
			local fs = st:add(f.pio_flags, tvb(off + 3, 1))
			fs:add(f.pio_l, tvb(off + 3, 1))
			fs:add(f.pio_a, tvb(off + 3, 1))
			fs:add(f.pio_r, tvb(off + 3, 1))
			local fl3 = tvb(off + 3, 1):uint()
			if aero.prefs.pio_x then
				fs:add(f.pio_x, tvb(off + 3, 1))
				if band(fl3, 0x10) ~= 0 then fs:append_text(" X") end
			else
				fs:add(f.pio_p, tvb(off + 3, 1))
				if band(fl3, 0x10) ~= 0 then fs:append_text(" P") end
			end
			st:add(f.pio_valid, tvb(off + 4, 4))
			st:add(f.pio_pref, tvb(off + 8, 4))
			st:append_text("/" .. tvb(off + 2, 1):uint())
		elseif t == 24 and l >= 1 and l <= 3 then
			local plen = tvb(off + 2, 1):uint()
			local st = tree:add(f.rio_plen, tvb(off + 2, 1))
			st:prepend_text("RIO: ")
			st:add(f.rio_prf, tvb(off + 3, 1))
			st:add(f.rio_life, tvb(off + 4, 4))
			if l > 1 then
				local raw = tvb(off + 8, (l - 1) * 8):bytes()
				local full = ByteArray.new(raw:tohex() .. string.rep("00", 16 - raw:len()))
				local pt = ByteArray.tvb(full, "RIO prefix")
				st:add(f.rio_prefix, pt(0, 16))
				st:append_text(" " .. tostring(pt(0, 16):ipv6()) .. "/" .. plen)
			end
		elseif t == 4 then
			local n = l * 8 - 8
			local st = tree:add(f.rho_len, tvb(off + 2, 2), n)
			st:prepend_text("RHO: ")
			if n >= 40 then
				st:add(f.rho_src, tvb(off + 16, 16))
				st:add(f.rho_dst, tvb(off + 32, 16))
				st:append_text(" " .. ipv6_str(tvb, off + 16) .. " -> " .. ipv6_str(tvb, off + 32))
			end
		elseif t == 5 and l == 1 then
			tree:add(f.mtu, tvb(off + 4, 4))
		else
			tree:add(f.opt_type, tvb(off, 1)):append_text(" (length " .. l .. ")")
		end
		off = off + l * 8
	end
end

-- SCMP (digest 3.11): ICMPv6 format, checksum over the message only.
local function dissect_scmp(tvb, pinfo, tree)
	local len = tvb:len()
	if len < 4 then return end
	local st = tree:add(f.scmp, tvb())
	local t = tvb(0, 1):uint()
	st:set_text("SCMP " .. (SCMP_TYPES[t] or ("type " .. t)))
	st:add(f.scmp_type, tvb(0, 1))
	st:add(f.scmp_code, tvb(1, 1))
	local ci = st:add(f.scmp_csum, tvb(2, 2))
	local good = csum16(tvb, 0, len) == 0xffff
	ci:append_text(good and " [correct]" or " [incorrect]")
	st:add(f.scmp_csum_good, tvb(2, 2), good)
	pinfo.cols.protocol = "AERO/SCMP"
	pinfo.cols.info = "SCMP " .. (SCMP_TYPES[t] or ("type " .. t))
	if len < 8 then return end
	local off = 8
	if t == 137 then
		st:add(f.scmp_p, tvb(4, 1))
		st:add(f.scmp_v, tvb(4, 1))
		local p = band(tvb(4, 1):uint(), 0x80) ~= 0
		pinfo.cols.info = p and "SCMP SPD (Predirect)" or "SCMP SRD (Redirect)"
		if len >= 40 then
			st:add(f.scmp_target, tvb(8, 16))
			st:add(f.scmp_dest, tvb(24, 16))
			pinfo.cols.info:append(" target " .. ipv6_str(tvb, 8) ..
				" dest " .. ipv6_str(tvb, 24))
			off = 40
			if band(tvb(4, 1):uint(), 0x40) ~= 0 and len >= 64 then
				st:add(f.scmp_ak_f, tvb(40, 1))
				st:add(f.scmp_ak_key, tvb(40, 1))
				st:add(f.scmp_ak_alg, tvb(40, 1))
				st:add(f.scmp_esk, tvb(41, 20))
				off = 64
			end
		end
	elseif t == 133 then
		st:add(f.scmp_rsv, tvb(4, 4))
	elseif t == 134 and len >= 16 then
		st:add(f.scmp_ra_hlim, tvb(4, 1))
		st:add(f.scmp_ra_flags, tvb(5, 1))
		st:add(f.scmp_ra_life, tvb(6, 2))
		st:add(f.scmp_ra_reach, tvb(8, 4))
		st:add(f.scmp_ra_retrans, tvb(12, 4))
		off = 16
	elseif (t == 135 or t == 136) and len >= 24 then
		st:add(f.scmp_rsv, tvb(4, 4))
		st:add(f.scmp_target, tvb(8, 16))
		off = 24
	elseif t >= 1 and t <= 4 then
		if t == 2 then st:add(f.scmp_mtu, tvb(4, 4))
		elseif t == 4 then st:add(f.scmp_pointer, tvb(4, 4))
		else st:add(f.scmp_rsv, tvb(4, 4)) end
		if len > 8 then st:add(f.scmp_invoking, tvb(8)) end
		return
	end
	if off < len then dissect_options(tvb(off):tvb(), 0, st) end
end

-- RFC 6706 Predirect/Redirect (digest 3.6).
local function dissect_6706(tvb, pinfo, tree)
	local len = tvb:len()
	local st = tree:add(f.r6706, tvb())
	local p = len >= 5 and band(tvb(4, 1):uint(), 0x80) ~= 0
	local kind = p and "Predirect" or "Redirect"
	st:set_text("RFC 6706 " .. kind)
	st:add(f.r_type, tvb(0, 1))
	st:add(f.r_code, tvb(1, 1))
	st:add(f.r_csum, tvb(2, 2))
	if len < 40 then
		st:append_text(" (truncated)")
		return
	end
	st:add(f.r_p, tvb(4, 1))
	st:add(f.r_rsv, tvb(4, 4))
	st:add(f.r_kind, tvb(4, 1), kind)
	st:add(f.r_target, tvb(8, 16))
	st:add(f.r_dest, tvb(24, 16))
	pinfo.cols.protocol = "AERO/RFC6706"
	local null = tvb(8, 16):bytes():tohex() == string.rep("00", 16)
	pinfo.cols.info = (null and "NULL " or "") .. kind .. " target " .. ipv6_str(tvb, 8) ..
		" dest " .. ipv6_str(tvb, 24)
	if len > 40 then dissect_options(tvb(40):tvb(), 0, st) end
end

-- The AERO ND options of an inner IPv6 ND message (Wireshark's ICMPv6
-- dissector shows S/TLLAOs as MAC addresses and 0x10 as a reserved bit).
local ND_FIXED = { [133] = 8, [134] = 16, [135] = 24, [136] = 24, [137] = 40 }
local function inner_nd_options(tvb, tree)
	if tvb:len() < 48 or tvb(6, 1):uint() ~= 58 then return end
	local t = tvb(40, 1):uint()
	local fixed = ND_FIXED[t]
	if not fixed or tvb:len() < 40 + fixed then return end
	local names = { [133] = "RS", [134] = "RA", [135] = "NS", [136] = "NA", [137] = "Redirect" }
	local st = tree:add(f.nd, tvb(40), names[t])
	st:set_text("AERO ND options of the inner " .. names[t])
	if tvb:len() > 40 + fixed then
		dissect_options(tvb(40 + fixed):tvb(), 0, st)
	end
end

local function prefix_proto(pinfo, p)
	local cur = tostring(pinfo.cols.protocol)
	if cur:sub(1, 4) ~= "AERO" then pinfo.cols.protocol = p .. cur end
end

-- ---- the UDP 8060 payload --------------------------------------------------------
function aero.dissector(tvb, pinfo, tree)
	local len = tvb:len()
	if len < 1 then return 0 end
	local b0 = tvb(0, 1):uint()
	local ver = rshift(b0, 4)
	if b0 == 0 and len >= 4 and tvb(1, 1):uint() == 0 then
		-- inside the tunnel: RFC 6706 (Type 0, Code 0)
		local t = tree:add(aero, tvb(), "AERO RFC 6706")
		dissect_6706(tvb, pinfo, t)
		return len
	end
	local t = tree:add(aero, tvb(), "AERO")
	if ver == 6 then
		t:add(f.profile, tvb(0, 0), "P1")
		t:append_text(", P1: inner IPv6")
		inner_nd_options(tvb, t)
		ipv6_dis:call(tvb, pinfo, tree)
		prefix_proto(pinfo, "AERO/")
		return len
	end
	if len < 8 or rshift(tvb(1, 1):uint(), 6) ~= 1 then
		t:append_text(" (neither IPv6 nor a SEAL shim)")
		return 0
	end
	-- P2: SEAL shim
	t:add(f.profile, tvb(0, 0), "P2")
	local b1 = tvb(1, 1):uint()
	local icv = band(b1, 0x04) ~= 0
	local hl = icv and 20 or 8
	if len < hl then
		t:append_text(" (SEAL shim truncated)")
		return 0
	end
	local s = t:add(f.seal, tvb(0, hl))
	s:set_text("SEAL shim (P2), " .. hl .. " bytes")
	s:add(f.nexthdr, tvb(0, 1))
	s:add(f.ver, tvb(1, 1))
	s:add(f.c, tvb(1, 1))
	s:add(f.a, tvb(1, 1))
	s:add(f.r, tvb(1, 1))
	s:add(f.i, tvb(1, 1))
	s:add(f.rsvbits, tvb(1, 1))
	s:add(f.link_id, tvb(2, 1))
	s:add(f.reserved, tvb(3, 1))
	s:add(f.id, tvb(4, 4))
	s:append_text(", NEXTHDR " .. tvb(0, 1):uint() .. ", ID " .. tvb(4, 4):uint())
	if icv then
		s:add(f.icv_f, tvb(8, 1))
		s:add(f.icv_key, tvb(8, 1))
		s:add(f.icv_alg, tvb(8, 1))
		s:add(f.icv, tvb(9, 10))
		s:add(f.pad, tvb(19, 1))
		local key = fromhex(aero.prefs.icv_key or "")
		if key and #key > 0 then
			local hdr = tvb(0, 20):raw()
			hdr = hdr:sub(1, 9) .. string.rep("\0", 10) .. hdr:sub(20, 20)
			local payload = len > 20 and tvb(20):raw() or ""
			local mac = hmac_sha1(key, hdr .. payload):sub(1, 10)
			local good = mac == tvb(9, 10):raw()
			s:add(f.icv_status, tvb(9, 10), good and "good" or "bad")
			s:add(f.icv_good, tvb(9, 10), good)
			s:add(f.icv_computed, tvb(9, 10), tohex(mac))
			s:append_text(good and ", ICV good" or ", ICV BAD")
		else
			s:add(f.icv_status, tvb(9, 10), "unverified (no key in the preferences)")
		end
	end
	if len == hl then return len end
	local rest = tvb(hl):tvb()
	local nh = tvb(0, 1):uint()
	if band(b1, 0x20) ~= 0 or nh == 58 then
		dissect_scmp(rest, pinfo, t)
	elseif nh == 41 then
		inner_nd_options(rest, t)
		ipv6_dis:call(rest, pinfo, tree)
		prefix_proto(pinfo, "AERO-P2/")
	elseif nh == 4 then
		ip_dis:call(rest, pinfo, tree)
		prefix_proto(pinfo, "AERO-P2/")
	end
	return len
end

local registered_port
local function register()
	local udp = DissectorTable.get("udp.port")
	if registered_port then udp:remove(registered_port, aero) end
	registered_port = aero.prefs.port
	udp:add(registered_port, aero)
end

function aero.prefs_changed()
	if registered_port ~= aero.prefs.port then register() end
end

register()

-- export for tests (tshark -X lua_script:...): the hash primitives
AERO_LUA = { version = VERSION, sha1 = sha1, hmac_sha1 = hmac_sha1, tohex = tohex }
