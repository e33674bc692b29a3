#!/usr/bin/python3
"""aero_emu: run a scenario as a live Mininet network (./aero emu).

The scenario comes as JSON from the one loader (`./aero json`), never from
YAML. Layout:
  - one OVS userspace bridge (datapath=user, standalone, batch start) per
    underlay network, named aesw<k>; one Mininet host per node, named ae<i>
    (project prefix; the scenario name is kept in every output);
  - IPv4/IPv6 locators and native6 addresses set with `ip` (nodad), tx
    offload off on every host interface (OVS userspace checksum trap);
  - the underlay is routed: Servers, Relays and routers forward; every other
    node routes through them (shortest path over the networks); a Relay's
    aggregate is routed to it from everywhere (so a correspondent reaches
    client prefixes through the Relay);
  - impairments: ONE mechanism, aero-impair (NFQUEUE) on the egress of every
    host interface with its network's delay/jitter/loss; rates with tbf;
  - one aerod per AERO node, BIRD 2 on Servers and Relays (iBGP over the
    native6 addresses: Server table 8060 -> Relay table 8061 -> aerod);
  - the timeline in real time (optionally scaled with --time-scale):
    events (link/node down/up, server_crash [+ restart], move, nat_rebind),
    traffic (udp_cbr: flowgen.py; ping; tcp_bulk: iperf3), captures
    (tcpdump per interface and TUN);
  - results per analysis/RESULTS.md, and a summary.

Exit: 0 ok, 1 run failed / scenario invalid, 2 usage, 3 not root or a
missing facility.
"""
import argparse, datetime, hashlib, ipaddress, json, os, random, re, shutil
import signal, subprocess, sys, time

# Mininet's popen(shell=True) reads $SHELL; CI and sudo -i environments may lack it
os.environ.setdefault("SHELL", "/bin/sh")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PORT_BASE_FLOW = 5001
# ns-3 WifiRemoteStationManager MaxSsrc (ns-3.37 default): attempts of a unicast frame
WIFI_ATTEMPTS = 7


class Fail(Exception):
    def __init__(self, msg, code=1):
        super().__init__(msg)
        self.code = code


def log(msg):
    print(f"[emu {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sh(cmd, check=True):
    r = subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise Fail(f"command failed: {cmd}: {r.stderr.strip()}")
    return r.stdout


IMPAIR_MARK = "0xae1"  # emu/impair/aero-impair.c AERO_IMPAIR_MARK
LOCK_PATH = "/run/aero-emu.lock"
_AccessBridge = None


def access_bridge_class():
    """A kernel bridge made with iproute2 (no bridge-utils) as a Mininet
    switch: multicast snooping off (no MLD querier here, so a snooping
    bridge would not forward ND multicast to its OVS uplink), no IPv6 on the
    bridge device itself."""
    global _AccessBridge
    if _AccessBridge is None:
        from mininet.node import Switch

        class AccessBridge(Switch):
            def start(self, _controllers):
                self.cmd(f"ip link del {self.name} 2>/dev/null")
                self.cmd(f"ip link add name {self.name} type bridge mcast_snooping 0 stp_state 0")
                self.cmd(f"sysctl -qw net.ipv6.conf.{self.name}.disable_ipv6=1")
                for i in self.intfList():
                    if i.name != "lo":
                        self.cmd(f"ip link set {i.name} master {self.name}")
                        self.cmd(f"ip link set {i.name} up")
                self.cmd(f"ip link set {self.name} up")

            def stop(self, deleteIntfs=True):
                self.cmd(f"ip link del {self.name} 2>/dev/null")
                super().stop(deleteIntfs)

        _AccessBridge = AccessBridge
    return _AccessBridge


class Run:
    def __init__(self, a):
        self.a = a
        self.build = a.build
        self.procs = []          # (name, Popen) we started
        self.net = None
        self.hosts = {}          # scenario node name -> mininet host
        self.nodes = {}          # name -> scenario node dict
        self.aerod_cmd = {}      # name -> (host, argv)
        self.aerod = {}          # name -> Popen
        self.impair = {}         # name -> Popen
        self.ifname = {}         # (node, network) -> interface name
        self.scen_events = []

    # ---- set-up ------------------------------------------------------------
    def load(self):
        r = subprocess.run([os.path.join(ROOT, "aero"), "json", self.a.scenario],
                           capture_output=True, text=True,
                           env=dict(os.environ, AERO_BUILD=self.build))
        if r.returncode != 0:
            raise Fail(f"scenario rejected: {r.stderr.strip()}", 1)
        self.scen_text = r.stdout
        s = self.s = json.loads(r.stdout)
        self.manet = s["underlay"].get("manet")
        # --fastpath: the Clients' data path in the kernel (aerod --fastpath).
        # Its egress goes through netfilter POSTROUTING, where aero-impair
        # applies each network's delay and loss; its ingress decapsulates
        # before PREROUTING, where the MANET radio decides who is in range,
        # so a MANET run would receive from out of range: refused.
        self.fastpath = self.a.fastpath
        if self.fastpath:
            if self.manet:
                raise Fail("--fastpath cannot run a MANET: the kernel data path decapsulates before "
                           "the radio's range and loss (netfilter PREROUTING) see the packet", 3)
            if self.a.tap:
                raise Fail("--fastpath needs TUN interfaces (not --tap)", 3)
            if s["link"]["profile"] != "P1":
                raise Fail("--fastpath carries P1 only (P2 needs the SEAL ICV on every packet)", 3)
        if self.manet:
            # one shared radio segment: every node on aesw0, address from
            # the loader's rule (manet_address), 10.0.0.0/16
            if s["underlay"]["family"] != "ipv4":
                raise Fail("the emulation runs IPv4 MANETs only", 3)
            self.nets = {"manet": (0, {"name": "manet", "prefix": "10.0.0.0/16", "delay": 0,
                                       "jitter": 0, "loss": 0, "rate": 0})}
            for i, n in enumerate(s["nodes"]):
                n["interfaces"] = [{"network": "manet", "address": n["manet_address"], "plen": 16,
                                    "native6": str(ipaddress.IPv6Address((0xfd00 << 112) | (1 << 64) | (i + 1)))}]
        else:
            self.nets = {n["name"]: (k, n) for k, n in enumerate(s["underlay"]["networks"])}
        for i, n in enumerate(s["nodes"]):
            n["idx"] = i
            self.nodes[n["name"]] = n
        self.v6 = s["underlay"]["family"] == "ipv6"
        self.scale = self.a.time_scale
        self.duration = s["run"]["duration"] * self.scale
        if self.a.duration is not None:
            self.duration = min(self.duration, self.a.duration)

    def start_ovs(self):
        if subprocess.run(["ovs-vsctl", "--timeout=3", "show"], capture_output=True).returncode != 0:
            log("starting Open vSwitch (ovs-ctl start)")
            subprocess.run(["/usr/share/openvswitch/scripts/ovs-ctl", "start"], capture_output=True)
            if subprocess.run(["ovs-vsctl", "--timeout=3", "show"], capture_output=True).returncode != 0:
                raise Fail("Open vSwitch cannot start (ovs-ctl start failed)", 3)

    def forwarders(self):
        if self.manet:  # every MANET node routes (babeld)
            return set(self.nodes)
        return {n for n, d in self.nodes.items() if d["role"] in ("server", "relay", "router")}

    def routes_for(self, name):
        """Static underlay routes of node name: {dest prefix: gateway addr}."""
        fw = self.forwarders()
        me = self.nodes[name]
        mynets = [f["network"] for f in me["interfaces"]]
        dests = {}  # prefix -> target network or node
        for net, (k, nd) in self.nets.items():
            if net not in mynets:
                dests[("net", net)] = None
        for rn, rd in self.nodes.items():
            if rd["role"] == "relay" and rd.get("aggregate") and rn != name:
                dests[("node", rn)] = None
        # BFS from me over (network -> forwarding node -> network)
        first = {}  # network -> (gateway node, on my network)
        frontier = []
        for net in mynets:
            first[net] = None
            frontier.append(net)
        via_node = {}
        seen_nodes = {name}
        while frontier:
            nxt = []
            for net in frontier:
                for fn in sorted(fw):
                    if fn in seen_nodes:
                        continue
                    fnets = [f["network"] for f in self.nodes[fn]["interfaces"]]
                    if net not in fnets:
                        continue
                    seen_nodes.add(fn)
                    gw = first[net] if first[net] else (fn, net)
                    via_node[fn] = gw
                    for n2 in fnets:
                        if n2 not in first:
                            first[n2] = gw
                            nxt.append(n2)
            frontier = nxt
        out = []
        for kind, tgt in dests:
            gw = first.get(tgt) if kind == "net" else via_node.get(tgt)
            if not gw:
                continue
            gnode, gnet = gw
            gif = [f for f in self.nodes[gnode]["interfaces"] if f["network"] == gnet][0]
            if kind == "net":
                k, nd = self.nets[tgt]
                out.append((nd["prefix"], gif["address"], "u"))
                out.append((f"fd00:0:0:{k + 1:x}::/64", gif["native6"], "6"))
            else:
                out.append((self.nodes[tgt]["aggregate"], gif["native6"], "6"))
        return out

    def build_net(self):
        from mininet.net import Mininet
        from mininet.node import OVSSwitch
        from mininet.link import Link
        from mininet.log import setLogLevel
        setLogLevel("warning")
        net = self.net = Mininet(controller=None, build=False, autoSetMacs=False,
                                 switch=OVSSwitch, link=Link)
        sws = {}
        ports = {}
        for net_name, (k, nd) in self.nets.items():
            ports[net_name] = sum(1 for n in self.nodes.values()
                                  for f in n["interfaces"] if f["network"] == net_name)
            sws[net_name] = net.addSwitch(f"aesw{k}", cls=OVSSwitch, datapath="user",
                                          failMode="standalone", batch=True,
                                          dpid=f"{0xae00 + k:016x}")
        # a network of more than --access-threshold hosts: groups of
        # --access-group hosts on kernel "access" bridges, each one port of
        # the OVS bridge. The userspace datapath's idle cost grows faster
        # than its port count (bench-emu part C), and at 1000 hosts on one
        # bridge it dropped most of the hosts' traffic.
        acc = {}
        seen = {n: 0 for n in self.nets}
        G = self.a.access_group
        for name, nd in self.nodes.items():
            h = net.addHost(f"ae{nd['idx']}", ip=None)
            self.hosts[name] = h
            for j, f in enumerate(nd["interfaces"]):
                ifn = f"ae{nd['idx']}-eth{j}"
                nn = f["network"]
                to = sws[nn]
                if G > 0 and not self.manet and ports[nn] > self.a.access_threshold:
                    key = (nn, seen[nn] // G)
                    seen[nn] += 1
                    if key not in acc:
                        acc[key] = net.addSwitch(f"aeab{self.nets[nn][0]}g{key[1]}", cls=access_bridge_class())
                        net.addLink(acc[key], sws[nn])
                    to = acc[key]
                net.addLink(h, to, intfName1=ifn)
                self.ifname[(name, f["network"])] = ifn
        self.access = acc
        if acc:
            log(f"{len(acc)} kernel access bridge(s) of up to {G} hosts on the OVS bridges of "
                + ", ".join(f"{n} ({ports[n]} hosts)" for n in sorted({k[0] for k in acc})))
        net.build()
        # the switch side of every veth lives in the root namespace, where
        # the kernel's IPv6 stack would also take every frame OVS floods
        # (and give each port a link-local route that every lookup scans):
        # IPv6 off there. Measured with 400 hosts on one userspace bridge
        # in their IPv6 start-up chatter: ovs-vswitchd 31 % -> 18 % of a
        # core (bench-emu part C; at steady idle both about 9 %).
        for sw in list(sws.values()) + list(acc.values()):
            for intf in sw.intfList():
                if intf.name != "lo":
                    try:
                        with open(f"/proc/sys/net/ipv6/conf/{intf.name}/disable_ipv6", "w") as f:
                            f.write("1")
                    except OSError:
                        pass  # no IPv6 in the kernel: nothing to switch off
        net.start()

    def config_hosts(self):
        for name, nd in self.nodes.items():
            h = self.hosts[name]
            fwd = name in self.forwarders()
            h.cmd("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0")
            # a link_down event is `ip link set down`: keep the IPv6 addresses
            # over it as the kernel keeps IPv4 ones (the default flushes them,
            # and link_up would come back without locator and link-local)
            h.cmd("sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1 net.ipv6.conf.default.keep_addr_on_down=1")
            if self.a.nd_reachable_ms:  # shorter kernel ND timers (IPv6 and ARP)
                ms = self.a.nd_reachable_ms
                for fam in ("ipv6", "ipv4"):
                    h.cmd(f"for d in /proc/sys/net/{fam}/neigh/*; do echo {ms} > $d/base_reachable_time_ms; "
                          f"echo {max(1, min(5, round(ms / 6000)))} > $d/delay_first_probe_time; done")
            h.cmd(f"sysctl -qw net.ipv4.ip_forward={int(fwd)} net.ipv6.conf.all.forwarding={int(fwd)}")
            if self.manet:
                # one shared segment: forwarding back out of the same
                # interface is the normal case, an ICMP redirect ("go
                # direct") would point at a node out of range
                h.cmd("sysctl -qw net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 "
                      "net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.all.rp_filter=0 "
                      "net.ipv4.conf.default.rp_filter=0")
            h.cmd("ip link set lo up")
            for f in nd["interfaces"]:
                ifn = self.ifname[(name, f["network"])]
                k, netd = self.nets[f["network"]]
                h.cmd(f"ethtool -K {ifn} tx off >/dev/null 2>&1")
                if self.manet:  # the radio tables name neighbours by MAC
                    h.cmd(f"ip link set {ifn} address {self.mac(name)}")
                self.set_addresses(name, ifn, f)
                h.cmd(f"ip link set {ifn} up")
                self.set_rate(h, ifn, netd)
            if self.manet:
                self.write_radio_table(name)
            else:
                self.add_routes(name)
            self.start_impair(name)
        time.sleep(0.3)
        for name, p in self.impair.items():
            if p.poll() is not None:
                raise Fail(f"aero-impair of {name} exited at start: "
                           f"{open(os.path.join(self.out, 'logs', name + '-impair.log')).read().strip()}")

    def add_routes(self, name):
        """Underlay routes; native IPv6 routes only for non-Clients (a
        Client's IPv6 traffic must use its AERO interface)."""
        h = self.hosts[name]
        client = self.nodes[name]["role"] == "client"
        for pfx, gw, fam in self.routes_for(name):
            v6 = fam == "6" or ":" in gw
            if fam == "6" and client:
                continue
            h.cmd(f"ip {'-6' if v6 else '-4'} route replace {pfx} via {gw}")

    def set_addresses(self, name, ifn, f):
        """The interface's addresses: locator, native IPv6 (not on Clients:
        a Client's IPv6 is its AERO prefix only) and a link-local address.
        The link-local one is not optional: a router sends the Neighbor
        Solicitation for a packet it forwards from its link-local address,
        and without one the kernel silently sends none, so the neighbour
        entry of a correspondent fails as soon as only forwarded traffic
        refreshes it (RFC 4291 2.1: every interface has one). It is
        fe80::<node index + 1> on every interface, easy to read in pcaps
        and unique on any link (babeld in MANETs speaks over it too)."""
        h, nd = self.hosts[name], self.nodes[name]
        h.cmd(f"ip addr flush dev {ifn}")
        h.cmd(f"ip addr add {f['address']}/{f['plen']} dev {ifn}" + (" nodad" if self.v6 else ""))
        if nd["role"] != "client":
            h.cmd(f"ip -6 addr add {f['native6']}/64 dev {ifn} nodad")
        h.cmd(f"ip -6 addr add fe80::{nd['idx'] + 1:x}/64 dev {ifn} nodad")

    def set_rate(self, h, ifn, netd):
        h.cmd(f"tc qdisc del dev {ifn} root >/dev/null 2>&1")
        rate = netd.get("rate") or 0
        if rate:
            burst = max(int(rate / 8 / 250), 16000)
            limit = max(netd.get("queue", 100) * 1500, burst)
            h.cmd(f"tc qdisc add dev {ifn} root tbf rate {rate}bit burst {burst} limit {limit}")

    def start_impair(self, name):
        """(Re)start this node's aero-impair with one queue per interface."""
        h = self.hosts[name]
        old = self.impair.pop(name, None)
        if old:
            old.send_signal(signal.SIGTERM)
            old.wait()
        h.cmd("iptables -t mangle -F POSTROUTING; ip6tables -t mangle -F POSTROUTING")
        specs = []
        if self.manet:
            # the radio: ingress, per neighbour (source MAC), no bypass (if
            # aero-impair is gone nothing is received: fail closed)
            ifn = self.ifname[(name, "manet")]
            h.cmd("iptables -t mangle -F PREROUTING; ip6tables -t mangle -F PREROUTING")
            for ipt in ("iptables", "ip6tables"):
                h.cmd(f"{ipt} -t mangle -A PREROUTING -i {ifn} -j NFQUEUE --queue-num 0")
            specs.append(f"0:table:{self.radio_path(name)}")
        for q, f in enumerate(self.nodes[name]["interfaces"]):
            k, netd = self.nets[f["network"]]
            ifn = self.ifname[(name, f["network"])]
            d = int(round(netd["delay"] * 1e6)); j = int(round(netd["jitter"] * 1e6))
            loss = netd["loss"]
            if d == 0 and j == 0 and loss == 0:
                continue
            # release mode (aero-impair.c): the copy it sends after the
            # delay carries IMPAIR_MARK and passes this rule
            for ipt in ("iptables", "ip6tables"):
                h.cmd(f"{ipt} -t mangle -A POSTROUTING -o {ifn} -m mark ! --mark {IMPAIR_MARK} "
                      f"-j NFQUEUE --queue-num {q} --queue-bypass")
            specs.append(f"{q}:{d}:{j}:{loss}:{ifn}")
        if not specs:
            return
        seed = (self.a.seed or self.s["run"]["seed"]) * 1000 + self.nodes[name]["idx"]
        st = os.path.join(self.out, "logs", f"{name}-impair-{len(self.scen_events)}.json")
        p = h.popen([os.path.join(self.build, "aero-impair"), "--seed", str(seed), "--stats", st] + specs,
                    stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.out, "logs", f"{name}-impair.log"), "a"))
        self.procs.append((f"{name}-impair", p))
        self.impair[name] = p

    # ---- MANET: radio range from the positions ---------------------------------
    def mac(self, name):
        i = self.nodes[name]["idx"]
        return f"02:ae:00:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x}"

    def radio_path(self, name):
        return os.path.join(self.out, "manet", f"{name}.radio")

    def load_positions(self):
        """Positions at the tick from the loader (`aero positions`: the
        one ns-2 interpreter, as ns-3 uses): {sample k: {node idx: (x,y,z)}}."""
        step = self.a.manet_tick
        until = self.duration / self.scale + step
        r = subprocess.run([os.path.join(self.build, "aero-scenario"), "positions", self.a.scenario,
                            "--step", repr(step), "--until", f"{until:.3f}"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Fail(f"positions: {r.stderr.strip()}")
        self.pos = {}
        for line in r.stdout.splitlines()[1:]:
            t, n, x, y, z = line.split(",")
            self.pos.setdefault(int(round(float(t) / step)), {})[int(n)] = (float(x), float(y), float(z))
        fixed = {d["idx"]: tuple((d.get("position") or [0, 0, 0]) + [0] * 3)[:3] for d in self.nodes.values()}
        for k in self.pos:
            for i, p in fixed.items():
                self.pos[k].setdefault(i, p)
        if not self.pos:
            self.pos = {0: fixed}
        self.pos_last = max(self.pos)
        self.tick = -1
        self.radio_cache = {}
        self.radio_stats = {"ticks": 0, "table_updates": 0, "link_changes": 0}
        self.links_prev = set()
        os.makedirs(os.path.join(self.out, "manet"), exist_ok=True)
        self.posf = open(os.path.join(self.out, "positions.csv"), "w")
        self.posf.write("t,node,x,y,z\n")
        self.linkf = open(os.path.join(self.out, "manet", "links.csv"), "w")
        self.linkf.write("t,a,b,distance_m,delay_ms,loss_unicast,loss_multicast\n")

    def radio(self, k):
        """The range model of sim-adapter (AeroRangeLossModel): nothing
        beyond range; a frame is lost with probability loss_at_range *
        d / range; propagation delay d * delay_per_m. ns-3's Wi-Fi MAC
        retries a unicast frame (MaxSsrc 7 attempts), so the emulation, which
        has no MAC, applies the residual loss p^7 to unicast packets and p to
        multicast/broadcast ones (routing Hellos). Returns {(i, j): row}."""
        m = self.manet
        rng, dpm, lar = m["range"], m.get("delay_per_m", 0) or 0, m.get("loss_at_range", 0) or 0
        pos = self.pos[min(k, self.pos_last)]
        ids = sorted(pos)
        out = {}
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                i, j = ids[a], ids[b]
                pi, pj = pos[i], pos[j]
                d = ((pi[0] - pj[0]) ** 2 + (pi[1] - pj[1]) ** 2 + (pi[2] - pj[2]) ** 2) ** 0.5
                if d > rng:
                    continue
                p = lar * d / rng if rng > 0 else 0
                out[(i, j)] = (d, d * dpm, p ** WIFI_ATTEMPTS, p)
        return out

    def write_radio_table(self, name, links=None):
        """This node's neighbours in range -> its aero-impair table (atomic
        rename); True when the content changed."""
        if links is None:
            links = self.radio(0)
        me = self.nodes[name]["idx"]
        byidx = {d["idx"]: n for n, d in self.nodes.items()}
        rows = ["# neighbour-MAC delay-us loss-unicast loss-multicast (node, distance m)"]
        for (i, j), (d, dl, puc, pmc) in sorted(links.items()):
            if me not in (i, j):
                continue
            o = byidx[j if i == me else i]
            rows.append(f"{self.mac(o)} {int(round(dl * 1e6))} {puc:.6g} {pmc:.6g} # {o} {d:.1f}")
        txt = "\n".join(rows) + "\n"
        if self.radio_cache.get(name) == txt:
            return False
        path = self.radio_path(name)
        with open(path + ".tmp", "w") as f:
            f.write(txt)
        os.replace(path + ".tmp", path)
        self.radio_cache[name] = txt
        return True

    def manet_tick(self, t):
        """At each mobility tick: new tables for the nodes whose neighbours
        changed (SIGHUP to their aero-impair), realised positions, links."""
        k = int(t / self.scale / self.a.manet_tick + 1e-9)
        if k == self.tick:
            return
        self.tick = k
        links = self.radio(k)
        self.radio_stats["ticks"] += 1
        for name in self.nodes:
            if self.write_radio_table(name, links):
                self.radio_stats["table_updates"] += 1
                p = self.impair.get(name)
                if p and p.poll() is None:
                    p.send_signal(signal.SIGHUP)
        tr = round(t, 3)
        pos = self.pos[min(k, self.pos_last)]
        byidx = {d["idx"]: n for n, d in self.nodes.items()}
        for i in sorted(pos):
            x, y, z = pos[i]
            self.posf.write(f"{tr},{byidx[i]},{x:.3f},{y:.3f},{z:.3f}\n")
        for (i, j), (d, dl, puc, pmc) in sorted(links.items()):
            self.linkf.write(f"{tr},{byidx[i]},{byidx[j]},{d:.1f},{dl * 1e3:.3f},{puc:.3g},{pmc:.3g}\n")
        now = set(links)
        self.radio_stats["link_changes"] += len(now ^ self.links_prev)
        self.links_prev = now
        self.posf.flush()
        self.linkf.flush()

    def babel(self):
        """babeld (Debian) on every MANET node: multi-hop IPv4 host routes
        over the radio (ns-3 runs OLSR/AODV; babeld is the MANET routing
        daemon Debian ships). Hellos every second on a wireless-type link."""
        if not shutil.which("babeld"):
            log("babeld not installed (apt-get install babeld): single-hop radio only")
            self.manet_routing = "none (single hop)"
            return
        self.manet_routing = "babeld"
        d = os.path.join(self.out, "babel")
        os.makedirs(d, exist_ok=True)
        for name in self.nodes:
            ifn = self.ifname[(name, "manet")]
            cf = os.path.join(d, f"{name}.conf")
            open(cf, "w").write(
                f"default type wireless hello-interval {self.a.babel_hello}\n"
                "redistribute local ip 10.0.0.0/16 ge 32 allow\n"
                "redistribute local deny\nredistribute deny\n")
            p = self.hosts[name].popen(["babeld", "-c", cf, "-I", os.path.join(d, f"{name}.pid"),
                                        "-S", os.path.join(d, f"{name}.state"), ifn],
                                       stdout=subprocess.DEVNULL,
                                       stderr=open(os.path.join(self.out, "logs", f"{name}-babeld.log"), "w"))
            self.procs.append((f"{name}-babeld", p))

    def babel_wait(self, limit):
        """Until every node has a route to each node it reaches over the
        radio graph at t = 0 (or limit s): the routing is up before t = 0."""
        links = self.radio(0)
        adj = {}
        for (i, j) in links:
            adj.setdefault(i, set()).add(j)
            adj.setdefault(j, set()).add(i)
        want = {}
        for name, nd in self.nodes.items():
            seen, fr = {nd["idx"]}, [nd["idx"]]
            while fr:
                fr = [y for x in fr for y in adj.get(x, ()) if y not in seen]
                seen.update(fr)
            want[name] = len(seen) - 1
        t_start = time.time()
        while True:
            missing = 0
            for name, h in self.hosts.items():
                n = len(h.cmd("ip -4 route show proto babel").split("\n")) - 1
                if n < want[name]:
                    missing += 1
            if missing == 0 or time.time() - t_start > limit:
                break
            time.sleep(0.5)
        dt = time.time() - t_start
        log(f"babeld: routes {'complete' if missing == 0 else f'incomplete on {missing} node(s)'} "
            f"after {dt:.1f} s")
        self.babel_setup_s = round(dt, 2)
        return missing == 0

    def bird(self):
        relays = [n for n, d in self.nodes.items() if d["role"] == "relay"]
        servers = [n for n, d in self.nodes.items() if d["role"] == "server"]
        if not shutil.which("bird"):
            log("BIRD not installed: no route distribution (install bird2)")
            return
        def common(a, b):  # (session local, neighbour, own native6)
            for f in self.nodes[a]["interfaces"]:
                for g in self.nodes[b]["interfaces"]:
                    if f["network"] == g["network"]:
                        if self.manet:  # over babeld's IPv4 routes
                            return f["address"], g["address"], f["native6"]
                        return f["native6"], g["native6"], f["native6"]
            return None
        for name in servers + relays:
            nd = self.nodes[name]
            rid = nd["interfaces"][0]["address"] if not self.v6 else f"10.255.{nd['idx'] // 256}.{nd['idx'] % 256}"
            # iBGP full mesh of Servers and Relays: a Server announces its
            # delegations (table 8060) to the Relays and to the other Servers,
            # and learns theirs (like the ns-3 runner's UPDATE packets); what
            # a node learns goes to table 8061, which its aerod watches
            others = [x for x in servers if x != name]
            peers = relays + others if nd["role"] == "server" else servers
            conf = [f"router id {rid};", "log stderr all;", "ipv6 table t_aero;",
                    "protocol device { scan time 10; }"]
            if self.manet:  # next hops (native6, on the shared /64) resolve here
                conf += ["ipv6 table t_igp;", "protocol direct { ipv6 { table t_igp; }; }"]
            if nd["role"] == "server":
                # one kernel protocol per BIRD table: the delegations come in
                # through t_aero, the learned routes leave through t_learn
                conf += ["ipv6 table t_learn;",
                         "protocol kernel k_deleg { kernel table 8060; learn; scan time 2; "
                         "ipv6 { table t_aero; import all; export none; }; }",
                         "protocol pipe p_learn { table t_aero; peer table t_learn; "
                         "export where source = RTS_BGP; import none; }",
                         "protocol kernel k_learn { kernel table 8061; scan time 2; "
                         "ipv6 { table t_learn; import none; export all; }; }"]
            else:
                conf.append("protocol kernel k_learn { kernel table 8061; scan time 2; "
                            "ipv6 { table t_aero; import none; export all; }; }")
            for p in peers:
                c = common(name, p)
                if not c:
                    continue
                mine, theirs, own6 = c
                imp = "none" if self.nodes[p]["role"] == "relay" else "all"
                exp = "none" if nd["role"] == "relay" else "where source != RTS_BGP"
                nh = " next hop self;" if nd["role"] == "server" else ""
                hop = "direct"
                if self.manet:
                    # a MANET peer may be several radio hops away: the session
                    # runs over babeld's IPv4 routes and names the Server by its
                    # native6 next hop (what aerod maps to the Server's locator)
                    hop = "multihop"
                    nh = f" igp table t_igp; next hop address {own6};" if nd["role"] == "server" \
                        else " igp table t_igp;"
                conf.append(f"protocol bgp p_{p.replace('-', '_')} {{ local {mine} as 65060; "
                            f"neighbor {theirs} as 65060; {hop}; connect retry time 1; "
                            f"hold time 9; ipv6 {{ table t_aero; import {imp}; export {exp};{nh} }}; }}")
            d = os.path.join(self.out, "bird")
            os.makedirs(d, exist_ok=True)
            cf = os.path.join(d, f"{name}.conf")
            open(cf, "w").write("\n".join(conf) + "\n")
            p = self.hosts[name].popen(["bird", "-f", "-c", cf, "-s", os.path.join(d, f"{name}.ctl"),
                                        "-P", os.path.join(d, f"{name}.pid")],
                                       stdout=subprocess.DEVNULL,
                                       stderr=open(os.path.join(self.out, "logs", f"{name}-bird.log"), "w"))
            self.procs.append((f"{name}-bird", p))
            self.bird_ctl = getattr(self, "bird_ctl", {})
            self.bird_ctl[name] = os.path.join(d, f"{name}.ctl")

    def bird_wait(self, limit):
        """Until every BGP session of every BIRD is Established (or limit
        s): flows at the start of the timeline then find the routes."""
        ctl = getattr(self, "bird_ctl", {})
        if not ctl or not shutil.which("birdc"):
            return
        t_start = time.time()
        while True:
            down = 0
            for name, c in ctl.items():
                r = subprocess.run(["birdc", "-s", c, "show", "protocols"], capture_output=True, text=True)
                bgp = [l for l in r.stdout.splitlines() if " BGP " in l]
                down += sum(1 for l in bgp if "Established" not in l) + (0 if r.returncode == 0 else 1)
            if down == 0 or time.time() - t_start > limit:
                break
            time.sleep(0.3)
        self.bird_setup_s = round(time.time() - t_start, 2)
        log(f"BIRD: {'all BGP sessions Established' if down == 0 else f'{down} session(s) not up'} "
            f"after {self.bird_setup_s} s")

    # ---- DNS for the PRL name ---------------------------------------------------
    def start_dns(self):
        """dnsmasq (Debian dnsmasq-base) on the first Server's host, on its
        locator, answering linkupnetworks.<domain> with every Server's
        locator (A for an IPv4 underlay, AAAA for IPv6): the Clients' aerod
        get --prl-name and --dns instead of an explicit PRL. --no-dns, no
        dnsmasq or an aerod without --dns: the PRL from the scenario."""
        self.prl_name = self.dns_addr = None
        servers = [n for n, d in self.nodes.items() if d["role"] == "server"]
        if self.a.no_dns or not servers:
            log("PRL: explicit (--no-dns)" if self.a.no_dns else "PRL: no Server, no DNS")
            return
        if not shutil.which("dnsmasq"):
            log("PRL: explicit (dnsmasq missing: apt-get install dnsmasq-base)")
            return
        hp = subprocess.run([os.path.join(self.build, "aerod"), "--help"], capture_output=True, text=True)
        if "--dns" not in hp.stdout:
            log("PRL: explicit (this aerod has no --dns resolver)")
            return
        # MANET: one dnsmasq per Server (a partition may hold only some of
        # them); each Client asks the one fewest radio hops away at t = 0
        hosts = servers if self.manet else servers[:1]
        dom = self.a.domain.strip(".")
        name = f"linkupnetworks.{dom}"
        d = os.path.join(self.out, "dns")
        os.makedirs(d, exist_ok=True)
        started = []
        for host in hosts:
            addr = self.nodes[host]["interfaces"][0]["address"]
            sfx = f"-{host}" if self.manet else ""
            open(os.path.join(d, "empty.conf"), "w").close()  # no /etc/dnsmasq.conf
            argv = ["dnsmasq", "-k", "-C", os.path.join(d, "empty.conf"), "--no-resolv", "--no-hosts", "--bind-interfaces",
                    f"--listen-address={addr}", "--port=53", "--user=root", f"--local=/{dom}/",
                    f"--pid-file={d}/dnsmasq{sfx}.pid", "--log-queries",
                    f"--log-facility={d}/dnsmasq{sfx}.log"]
            for sv in servers:
                argv.append(f"--host-record={name},{self.nodes[sv]['interfaces'][0]['address']}")
            open(os.path.join(d, f"dnsmasq{sfx}.argv"), "w").write(" ".join(argv) + "\n")
            err = os.path.join(self.out, "logs", f"dnsmasq{sfx}.stderr")
            p = self.hosts[host].popen(argv, stdout=subprocess.DEVNULL, stderr=open(err, "w"))
            self.procs.append((f"dnsmasq{sfx}", p))
            started.append((host, addr, p, err))
        time.sleep(0.3)
        for host, addr, p, err in started:
            if p.poll() is not None:
                raise Fail(f"dnsmasq on {host} exited at start: " + open(err).read().strip())
        self.prl_name, self.dns_addr = name, started[0][1]
        self.dns_of = {}
        if self.manet:
            hops = self.radio_hops(0)
            for c, nd in self.nodes.items():
                best = min(hosts, key=lambda h: hops.get((nd["idx"], self.nodes[h]["idx"]), 1 << 30))
                self.dns_of[c] = self.nodes[best]["interfaces"][0]["address"]
        log(f"PRL: DNS, {name} -> {len(servers)} Server locator(s), dnsmasq on "
            + ", ".join(f"{h} at {a}" for h, a, _, _ in started))

    def radio_hops(self, k):
        """{(i, j): hops} over the radio graph at sample k."""
        adj = {}
        for (i, j) in self.radio(k):
            adj.setdefault(i, set()).add(j)
            adj.setdefault(j, set()).add(i)
        out = {}
        for nd in self.nodes.values():
            src = nd["idx"]
            seen, fr, hop = {src: 0}, [src], 0
            while fr:
                hop += 1
                fr = [y for x in fr for y in adj.get(x, ()) if y not in seen]
                for y in fr:
                    seen[y] = hop
            for y, h in seen.items():
                out[(src, y)] = h
        return out

    def start_aerod(self, name):
        h = self.hosts[name]
        nd = self.nodes[name]
        argv = [os.path.join(self.build, "aerod"), "--scenario", self.a.scenario, "--node", name,
                "--ctl", self.ctl(name), "--events", os.path.join(self.out, "logs", f"{name}.events.jsonl"),
                "--log", os.path.join(self.out, "logs", f"{name}.log"), "--epoch-ns", str(self.t0),
                "--seed", str(self.a.seed or self.s["run"]["seed"])]
        if nd["role"] == "server":
            argv += ["--lease", os.path.join(self.out, "leases", f"{name}.lease")]
        if nd["role"] == "client" and getattr(self, "prl_name", None):
            a = self.dns_of.get(name, self.dns_addr)
            argv += ["--prl-name", self.prl_name, "--dns", f"[{a}]:53" if ":" in a else a]
        if nd["role"] == "client" and nd.get("model") in ("router", "hybrid"):
            # one downstream link (a TUN aerod creates, link 1): the
            # router's own address comes from its /64, so local traffic
            # (tcp_bulk, ping) has a global source; a requesting router
            # (dhcpcd) could run on it
            argv += ["--downstream", "tun:aeds1"]
        if self.a.tap:
            argv += ["--tap"]
        if self.fastpath and nd["role"] == "client":
            argv += ["--fastpath"]
        p = h.popen(argv, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.out, "logs", f"{name}.stderr"), "a"))
        self.procs.append((f"{name}-aerod", p))
        self.aerod[name] = p
        return p

    def ctl(self, name):
        return os.path.join(self.out, "ctl", f"{name}.sock")

    def aeroctl(self, name, *args):
        r = subprocess.run([os.path.join(self.build, "aeroctl"), "-s", self.ctl(name), *args],
                           capture_output=True, text=True)
        return r.stdout if r.returncode == 0 else None

    def capture(self, name, aero_too=True):
        cap = self.s.get("capture", {})
        if not self.a.capture:
            return
        nodes = cap.get("nodes", "all")
        if nodes != "all" and name not in nodes:
            return
        h = self.hosts[name]
        pc = os.path.join(self.out, "pcap")
        ifs = []
        if cap.get("underlay", True):
            for j, f in enumerate(self.nodes[name]["interfaces"]):
                suffix = "" if j == 0 else f"-{f['network']}"
                ifs.append((self.ifname[(name, f["network"])], f"{name}-underlay{suffix}.pcap"))
        if aero_too and cap.get("aero", True) and name in self.aerod:
            ifs.append(("aero0", f"{name}-aero.pcap"))
        for ifn, fn in ifs:
            p = h.popen(["tcpdump", "-i", ifn, "-U", "-s", "256", "-w", os.path.join(pc, fn)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.procs.append((f"{name}-tcpdump-{ifn}", p))

    # ---- measurement of the impairment ---------------------------------------
    def calibrate(self):
        """Ping across each network (pairs on it) and compare with the
        configured delay/loss: RTT/2 against the one-way delay (both ways
        cross the same network, each egress delayed once)."""
        res = {}
        procs = []
        if self.manet:
            return self.calibrate_manet()
        for net, (k, nd) in self.nets.items():
            members = [n for n, d in self.nodes.items() if any(f["network"] == net for f in d["interfaces"])]
            if len(members) < 2:
                continue
            a, b = members[0], members[1]
            # the locator: every node has one on the network (a Client has
            # no native6 address)
            dst = [f for f in self.nodes[b]["interfaces"] if f["network"] == net][0]["address"]
            cnt = self.a.calib_count
            p = self.hosts[a].popen(["ping", "-6" if ":" in dst else "-4", "-n", "-q", "-c", str(cnt), "-i", "0.02", "-W", "1", dst],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            procs.append((net, nd, p, cnt))
        for net, nd, p, cnt in procs:
            out, _ = p.communicate()
            m = re.search(r"(\d+) received", out)
            rtt = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms", out)
            rx = int(m.group(1)) if m else 0
            # a round trip crosses the lossy egress twice
            pl = 1 - rx / cnt
            one_way_loss = 1 - (1 - pl) ** 0.5
            res[net] = {"configured_delay_ms": round(nd["delay"] * 1e3, 3),
                        "observed_delay_ms": round(float(rtt.group(2)) / 2, 3) if rtt else None,
                        "configured_jitter_ms": round(nd["jitter"] * 1e3, 3),
                        "observed_mdev_ms": round(float(rtt.group(4)) / 2, 3) if rtt else None,
                        "configured_loss": nd["loss"], "observed_loss": round(one_way_loss, 4),
                        "probes": cnt}
        self.calib = res
        for net, r in res.items():
            log(f"impairment {net}: delay {r['configured_delay_ms']} ms configured, "
                f"{r['observed_delay_ms']} ms observed; loss {r['configured_loss']} configured, "
                f"{r['observed_loss']} observed ({r['probes']} probes)")

    def calibrate_manet(self):
        """The radio: ping (unicast, link-local: one hop both ways, whatever
        the routing) across the longest in-range pair at t = 0; configured
        d * delay_per_m and the residual unicast loss."""
        links = self.radio(0)
        self.calib = {}
        if not links:
            return
        (i, j), (d, dl, puc, pmc) = max(links.items(), key=lambda x: x[1][0])
        byidx = {nd["idx"]: n for n, nd in self.nodes.items()}
        a, b = byidx[i], byidx[j]
        cnt = self.a.calib_count
        out = self.hosts[a].cmd(f"ping -6 -n -q -c {cnt} -i 0.02 -W 1 fe80::{j + 1:x}%{self.ifname[(a, 'manet')]}")
        m = re.search(r"(\d+) received", out)
        rtt = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms", out)
        rx = int(m.group(1)) if m else 0
        r = {"pair": f"{a}-{b}", "distance_m": round(d, 1),
             "configured_delay_ms": round(dl * 1e3, 3),
             "observed_delay_ms": round(float(rtt.group(2)) / 2, 3) if rtt else None,
             "configured_loss": round(puc, 6), "configured_loss_multicast": round(pmc, 4),
             "observed_loss": round(1 - (rx / cnt) ** 0.5, 4), "probes": cnt}
        self.calib["radio"] = r
        log(f"impairment radio {a}-{b} at {d:.0f} m: delay {r['configured_delay_ms']} ms configured, "
            f"{r['observed_delay_ms']} ms observed; unicast loss {r['configured_loss']} configured, "
            f"{r['observed_loss']} observed ({cnt} probes)")

    # ---- the timeline --------------------------------------------------------
    def plan(self):
        acts = []
        sc = self.scale
        for ev in self.s.get("events", []):
            acts.append((ev["at"] * sc, "event", ev))
            if ev["type"] == "server_crash" and ev.get("restart") is not None:
                acts.append((ev["restart"] * sc, "restart", ev))
        for k, tr in enumerate(self.s.get("traffic", [])):
            acts.append((tr["start"] * sc, "traffic", (k, tr)))
        acts.sort(key=lambda x: x[0])
        return acts

    def addr_of(self, name):
        """Inner address to reach node name: a Client's global address as its
        aerod reported it (events log: addr-add/addr-del), the AERO
        interface's first (host and hybrid models: /64 number 0 of the
        delegated prefix), else a downstream link's (router model: the AERO
        interface has only its link-local AERO address, and an address of
        /64 number 0 would meet the black hole); else its first native6."""
        nd = self.nodes[name]
        if nd["role"] != "client":
            return nd["interfaces"][0]["native6"]
        have = {}
        try:
            with open(os.path.join(self.out, "logs", f"{name}.events.jsonl")) as f:
                for line in f:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue  # a line cut by a concurrent write
                    a = e.get("addr", "")
                    if e.get("type") == "addr-add" and not a.startswith("fe80:"):
                        have[a] = e.get("ifindex", 0)
                    elif e.get("type") == "addr-del":
                        have.pop(a, None)
        except OSError:
            return None
        for a, k in sorted(have.items(), key=lambda x: x[1] != 0):
            return a
        return None

    def scen_event(self, name, ev_name, **kw):
        rec = {"t": round((time.monotonic_ns() - self.t0) / 1e9, 6), "node": name,
               "type": "scenario", "name": ev_name}
        rec.update(kw)
        self.scen_events.append(rec)
        log(f"event {ev_name} {name} {kw if kw else ''}")

    def do_event(self, ev):
        name = ev["node"]
        h = self.hosts[name]
        t = ev["type"]
        if t in ("link_down", "link_up"):
            ifn = self.ifname[(name, ev["network"])]
            h.cmd(f"ip link set {ifn} {'down' if t == 'link_down' else 'up'}")
            if t == "link_up":
                self.add_routes(name)
            self.scen_event(name, t, network=ev["network"])
        elif t in ("node_down", "server_crash"):
            p = self.aerod.get(name)
            if p and p.poll() is None:
                p.send_signal(signal.SIGKILL if t == "server_crash" else signal.SIGTERM)
                p.wait()
            if t == "node_down":
                for f in self.nodes[name]["interfaces"]:
                    h.cmd(f"ip link set {self.ifname[(name, f['network'])]} down")
            self.scen_event(name, t)
        elif t == "node_up":
            for f in self.nodes[name]["interfaces"]:
                h.cmd(f"ip link set {self.ifname[(name, f['network'])]} up")
            self.add_routes(name)
            if name in self.aerod:
                self.start_aerod(name)
            self.scen_event(name, t)
        elif t == "move":
            self.move(name, ev)
        elif t == "nat_rebind":
            nd = self.nodes[name]
            cur = getattr(self, "cur_loc", {}).get(name, nd["interfaces"][nd.get("locator_iface") or 0]["address"])
            port = self.s["link"]["port"] + 1 + len(self.scen_events)
            loc = f"[{cur}]:{port}" if ":" in cur else f"{cur}:{port}"
            self.aeroctl(name, "locator", loc)
            self.scen_event(name, t, loc=loc)

    def move(self, name, ev):
        """Move a node's interface from network 'from' to 'to': re-plug the
        veth on the other bridge, new address, routes, impairment, and tell
        aerod its new locator."""
        h = self.hosts[name]
        nd = self.nodes[name]
        ifn = self.ifname.pop((name, ev["from"]))
        k_to, net_to = self.nets[ev["to"]]
        k_from, _ = self.nets[ev["from"]]
        intf = h.intf(ifn)
        peer = intf.link.intf2 if intf.link.intf1 is intf else intf.link.intf1
        if peer.node.name.startswith("aeab"):  # from a kernel access bridge
            sh(["ip", "link", "set", peer.name, "nomaster"])
        else:
            sh(["ovs-vsctl", "--timeout=5", "del-port", f"aesw{k_from}", peer.name])
        sh(["ovs-vsctl", "--timeout=5", "add-port", f"aesw{k_to}", peer.name])
        for f in nd["interfaces"]:
            if f["network"] == ev["from"]:
                f["network"] = ev["to"]
                f["address"] = ev["to_address"]
                plen = ipaddress.ip_network(net_to["prefix"], strict=False).prefixlen
                f["plen"] = plen
                low = int(ipaddress.ip_address(ev["to_address"])) & 0xffffffff
                f["native6"] = str(ipaddress.IPv6Address((0xfd00 << 112) | ((k_to + 1) << 64) | low))
        self.ifname[(name, ev["to"])] = ifn
        f = [f for f in nd["interfaces"] if f["network"] == ev["to"]][0]
        self.set_addresses(name, ifn, f)
        self.add_routes(name)
        self.set_rate(h, ifn, net_to)
        self.scen_event(name, "move", **{"from": ev["from"], "to": ev["to"], "loc": f["address"]})
        self.start_impair(name)
        if name in self.aerod:
            port = self.s["link"]["port"]
            loc = f"[{f['address']}]:{port}" if ":" in f["address"] else f"{f['address']}:{port}"
            r = self.aeroctl(name, "locator", loc)
            if r is None:
                log(f"move: aerod {name} refused the new locator")

    def start_traffic(self, k, tr):
        src, dst = tr["from"], tr["to"]
        now = (time.monotonic_ns() - self.t0) / 1e9
        dur = max(0.5, tr["stop"] * self.scale - now)
        dur = min(dur, self.duration - now)
        if dur <= 0:
            return
        if self.nodes[src]["role"] == "client" and not self.addr_of(src):
            # a Client without its prefix has no source address (ping and
            # iperf3 would exit at once): start when it has one
            if k not in self.flow_notes:
                log(f"traffic {k}: {src} has no prefix yet: start deferred")
                self.flow_notes[k] = f"start deferred from t={now:.1f} s (source had no prefix)"
            return "defer"
        daddr = self.addr_of(dst)
        if not daddr and self.nodes[dst]["role"] == "client":
            # the destination's prefix (or its router-model downstream
            # address) is not there yet: start when it is
            if k not in self.flow_notes:
                log(f"traffic {k}: {dst} has no address yet: start deferred")
                self.flow_notes[k] = f"start deferred from t={now:.1f} s (destination had no address)"
            return "defer"
        if not daddr:
            log(f"traffic {k}: no address for {dst} yet (no prefix): flow skipped")
            self.flow_notes[k] = "destination has no address"
            return
        fl = os.path.join(self.out, "logs")
        if tr["type"] == "udp_cbr":
            port = PORT_BASE_FLOW + k
            pr = self.hosts[dst].popen([sys.executable, os.path.join(HERE, "flowgen.py"), "recv",
                                        "--flow", str(k), "--node", dst, "--port", str(port),
                                        "--duration", str(dur + 2), "--epoch-ns", str(self.t0),
                                        "--out", os.path.join(fl, f"flow{k}-rx.jsonl")])
            time.sleep(0.2)
            ps = self.hosts[src].popen([sys.executable, os.path.join(HERE, "flowgen.py"), "send",
                                        "--flow", str(k), "--node", src, "--dst", daddr, "--port", str(port),
                                        "--rate", str(tr["rate"]), "--size", str(tr.get("size", 200)),
                                        "--duration", str(dur), "--epoch-ns", str(self.t0),
                                        "--out", os.path.join(fl, f"flow{k}-tx.jsonl")])
            self.procs += [(f"flow{k}-rx", pr), (f"flow{k}-tx", ps)]
            self.flows[k] = ("udp", pr, ps)
        elif tr["type"] == "ping":
            iv = max(0.2, tr.get("interval", 1) * self.scale) if self.scale < 1 else tr.get("interval", 1)
            cnt = max(1, int(dur / iv))
            self.ping_iv[k] = iv
            p = self.hosts[src].popen(["ping", "-6", "-n", "-D", "-O", "-i", str(iv), "-c", str(cnt),
                                       "-s", str(tr.get("size", 56)), daddr],
                                      stdout=open(os.path.join(fl, f"flow{k}-ping.txt"), "w"),
                                      stderr=subprocess.STDOUT)
            self.procs.append((f"flow{k}-ping", p))
            self.flows[k] = ("ping", p, iv)
        elif tr["type"] == "tcp_bulk":
            port = PORT_BASE_FLOW + 100 + k
            srv = self.hosts[dst].popen(["iperf3", "-s", "-1", "-J", "-p", str(port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.3)
            self.flow_t[k] = (time.monotonic_ns() - self.t0) / 1e9
            cli = self.hosts[src].popen(["iperf3", "-c", daddr, "-p", str(port), "-t", str(max(1, int(dur))),
                                         "-J", "-C", "cubic", "--get-server-output"],
                                        stdout=open(os.path.join(fl, f"flow{k}-iperf3.json"), "w"),
                                        stderr=subprocess.DEVNULL)
            self.procs += [(f"flow{k}-iperf3s", srv), (f"flow{k}-iperf3c", cli)]
            self.flows[k] = ("tcp", cli, srv)
        if k in self.flow_notes:
            why = "the destination had no address" if "destination" in self.flow_notes[k] else \
                  "the source had no prefix"
            self.flow_notes[k] = f"started at t={now / self.scale:.1f} s, late: {why} before"
        self.scen_event(src, "traffic_start", flow=k, to=dst, addr=daddr)

    def run_timeline(self):
        acts = self.plan()
        self.flows = {}
        self.flow_t = {}
        self.ping_iv = {}
        self.flow_notes = {}
        i = 0
        last_progress = 0
        while True:
            t = (time.monotonic_ns() - self.t0) / 1e9
            if t >= self.duration:
                break
            if self.manet:
                self.manet_tick(t)
            while i < len(acts) and acts[i][0] <= t:
                at, kind, obj = acts[i]
                i += 1
                if at >= self.duration:
                    continue
                try:
                    if kind == "event":
                        self.do_event(obj)
                    elif kind == "restart":
                        self.start_aerod(obj["node"])
                        self.scen_event(obj["node"], "server_restart")
                    elif self.start_traffic(*obj) == "defer":
                        again = (min(t + 0.5, obj[1]["stop"] * self.scale), kind, obj)
                        if again[0] < obj[1]["stop"] * self.scale:
                            acts.insert(i, again)
                            acts[i:] = sorted(acts[i:], key=lambda a: a[0])
                        else:
                            self.flow_notes[obj[0]] = ("never started: the destination had no address"
                                                       if "destination" in self.flow_notes.get(obj[0], "")
                                                       else "never started: the source had no prefix")
                except Fail as e:
                    log(f"timeline: {e}")
            if t - last_progress >= self.a.progress:
                last_progress = t
                bound = sum(1 for n, d in self.nodes.items() if d["role"] == "client"
                            and (self.aeroctl(n, "show", "--json") or "").find('"prefix":"') >= 0)
                log(f"t={t:6.1f}/{self.duration:.0f} s  clients with a prefix: {bound}/"
                    f"{sum(1 for d in self.nodes.values() if d['role'] == 'client')}")
            nxt = acts[i][0] if i < len(acts) else self.duration
            if self.manet:
                nxt = min(nxt, (self.tick + 1) * self.a.manet_tick * self.scale)
            time.sleep(max(0.01, min(0.2, nxt - t)))

    # ---- results -------------------------------------------------------------
    def collect(self):
        out = self.out
        counters = {}
        for name in self.aerod:
            c = self.aeroctl(name, "counters", "--json")
            if c:
                counters[name] = json.loads(c)
        json.dump(counters, open(os.path.join(out, "counters.json"), "w"), indent=1, sort_keys=True)
        self.states = {}
        for name in self.aerod:
            st = self.aeroctl(name, "show", "--json")
            if st:
                self.states[name] = json.loads(st)
        json.dump(self.states, open(os.path.join(out, "logs", "state-at-end.json"), "w"), indent=1)

    def finish_flows(self):
        lines = []
        fl = os.path.join(self.out, "logs")
        stats = {}
        for k, tr in enumerate(self.s.get("traffic", [])):
            st = {"type": tr["type"], "from": tr["from"], "to": tr["to"]}
            f = self.flows.get(k)
            if not f:
                st["note"] = self.flow_notes.get(k, "not started (after the end of the run)")
                stats[k] = st
                continue
            if f[0] == "udp":
                tx, rx = [], []
                for fn, arr in ((f"flow{k}-tx.jsonl", tx), (f"flow{k}-rx.jsonl", rx)):
                    p = os.path.join(fl, fn)
                    if os.path.exists(p):
                        arr += [json.loads(l) for l in open(p) if l.strip()]
                lines += tx + rx
                seqs = {r["seq"] for r in rx}
                d = sorted(r["delay"] for r in rx)
                st.update(sent=len(tx), received=len(seqs),
                          delivery_ratio=round(len(seqs) / len(tx), 4) if tx else None,
                          latency_ms_median=round(d[len(d) // 2] * 1e3, 3) if d else None,
                          latency_ms_p95=round(d[int(len(d) * 0.95)] * 1e3, 3) if d else None)
                # interruption: longest gap between received sequence numbers
                if rx:
                    ts = sorted((r["t"] for r in rx))
                    gaps = [b - a for a, b in zip(ts, ts[1:])]
                    st["longest_gap_s"] = round(max(gaps), 3) if gaps else 0
            elif f[0] == "ping":
                txt = open(os.path.join(fl, f"flow{k}-ping.txt")).read()
                sent = set(); got = {}
                for m in re.finditer(r"\[([\d.]+)\].*icmp_seq=(\d+).*time=([\d.]+) ms", txt):
                    got[int(m.group(2))] = (float(m.group(1)), float(m.group(3)))
                for m in re.finditer(r"icmp_seq=(\d+)", txt):
                    sent.add(int(m.group(1)))
                mt = re.search(r"(\d+) packets transmitted", txt)
                n_tx = int(mt.group(1)) if mt else len(sent)
                # times since t = 0: an answered request left rtt before
                # its reply; an unanswered one one interval after the
                # previous request (ping -i)
                iv = self.ping_iv.get(k, tr.get("interval", 1))
                t_tx = {s_: ts - rtt / 1e3 - self.t0_wall for s_, (ts, rtt) in got.items()}
                ref = min(t_tx) if t_tx else None

                def tx_time(s_):
                    if s_ in t_tx:
                        return round(t_tx[s_], 6)
                    return None if ref is None else round(t_tx[ref] + (s_ - ref) * iv, 6)
                for s_ in range(1, n_tx + 1):
                    lines.append({"t": tx_time(s_), "flow": k, "seq": s_, "dir": "tx",
                                  "node": tr["from"], "bytes": tr.get("size", 56)})
                rtts = sorted(v[1] for v in got.values())
                for s_, (ts, rtt) in sorted(got.items()):
                    lines.append({"t": round(ts - self.t0_wall, 6), "flow": k, "seq": s_,
                                  "dir": "rx", "node": tr["from"], "bytes": tr.get("size", 56),
                                  "rtt": round(rtt / 1e3, 6)})
                st.update(sent=n_tx, received=len(got),
                          delivery_ratio=round(len(got) / n_tx, 4) if n_tx else None,
                          rtt_ms_median=rtts[len(rtts) // 2] if rtts else None)
            elif f[0] == "tcp":
                try:
                    j = json.load(open(os.path.join(fl, f"flow{k}-iperf3.json")))
                    st["throughput_mbit"] = round(j["end"]["sum_received"]["bits_per_second"] / 1e6, 3)
                except Exception as e:  # noqa
                    j = None
                    st["note"] = f"iperf3 gave no result ({type(e).__name__})"
                # one line per iperf3 interval (1 s) and direction: bytes
                # sent by the client, bytes received by the server, at the
                # end of the interval (t = client start + interval end)
                t_s = self.flow_t.get(k, 0)
                for dirn, node, ivs in (("tx", tr["from"], (j or {}).get("intervals", [])),
                                        ("rx", tr["to"], ((j or {}).get("server_output_json") or {})
                                         .get("intervals", []))):
                    for n_, iv in enumerate(ivs):
                        sm = iv.get("sum", {})
                        if "end" in sm and "bytes" in sm:
                            lines.append({"t": round(t_s + sm["end"], 6), "flow": k, "seq": n_ + 1,
                                          "dir": dirn, "node": node, "bytes": int(sm["bytes"])})
            if k in self.flow_notes:  # started late (deferred)
                st["note"] = self.flow_notes[k]
            stats[k] = st
        # lines without a time (a ping flow with no reply at all) go last
        with open(os.path.join(self.out, "flows.jsonl"), "w") as fo:
            for l in sorted((l for l in lines if l["t"] is not None), key=lambda x: x["t"]):
                fo.write(json.dumps(l) + "\n")
            for l in (l for l in lines if l["t"] is None):
                fo.write(json.dumps(l) + "\n")
        return stats

    def merge_events(self):
        evs = list(self.scen_events)
        for name in self.nodes:
            p = os.path.join(self.out, "logs", f"{name}.events.jsonl")
            if os.path.exists(p):
                for l in open(p):
                    try:
                        evs.append(json.loads(l))
                    except ValueError:
                        pass
        evs.sort(key=lambda e: e["t"])
        with open(os.path.join(self.out, "events.jsonl"), "w") as f:
            for e in evs:
                f.write(json.dumps(e) + "\n")
        return evs

    def summary(self, evs, flows):
        deleg = [e for e in evs if e["type"] == "prefix-delegated"]
        first = {}
        for e in deleg:
            first.setdefault(e["node"], e)
        hand = [e for e in evs if e["type"] == "handover"]
        moves = [e for e in evs if e["type"] == "scenario" and e["name"] == "move"]
        ro = [e for e in evs if e["type"] == "ro-up"]
        clients = [n for n, d in self.nodes.items() if d["role"] == "client"]
        s = {"scenario": self.s["run"]["name"], "backend": "emu",
             "duration_s": round(self.duration, 3), "time_scale": self.scale,
             "prefixes_delegated": {n: {"prefix": e.get("prefix"), "t": e["t"]} for n, e in first.items()},
             "clients": len(clients), "clients_with_prefix": len(first),
             "flows": flows, "handovers": len(hand), "moves": len(moves),
             "route_optimisations": len(ro), "impairment": self.calib,
             "setup_s": getattr(self, "setup_s", None),
             "prl": {"dns": getattr(self, "prl_name", None), "server": getattr(self, "dns_addr", None)},
             "control_overhead_bytes": sum(c.get("tx_control_bytes", 0) for c in self.counters_().values())}
        if self.manet:
            s["manet"] = dict(self.radio_stats, routing=getattr(self, "manet_routing", None),
                              routing_setup_s=getattr(self, "babel_setup_s", None),
                              tick_s=self.a.manet_tick, links_at_end=len(self.links_prev))
        json.dump(s, open(os.path.join(self.out, "summary.json"), "w"), indent=1)
        print("\n==== summary: %s (emu, %.0f s%s) ====" % (s["scenario"], s["duration_s"],
              f", time scale {self.scale}" if self.scale != 1 else ""))
        print(f"prefixes delegated: {len(first)}/{len(clients)} clients")
        shown = sorted(first.items()) if len(first) <= 20 else sorted(first.items(), key=lambda x: x[1]["t"])[-10:]
        if len(first) > 20:  # a large run: the delegation times, then the last ten
            ts = sorted(e["t"] for e in first.values())
            print(f"  delegation time: median {ts[len(ts) // 2]:.2f} s, 90 % by {ts[int(len(ts) * 0.9) - 1]:.2f} s, "
                  f"last {ts[-1]:.2f} s; the last ten:")
        for n, e in shown:
            print(f"  {n:10s} {e.get('prefix')}  at t={e['t']:.2f} s")
        print("flows:")
        for k, st in flows.items():
            extra = ", ".join(f"{a}={b}" for a, b in st.items() if a not in ("type", "from", "to"))
            print(f"  [{k}] {st['type']:8s} {st['from']} -> {st['to']}: {extra}")
        print(f"handovers: {len(hand)} (moves: {len(moves)}); route optimisations: {len(ro)}")
        if self.manet:
            mm = s["manet"]
            print(f"MANET: routing {mm['routing']} (routes complete after {mm['routing_setup_s']} s), "
                  f"{mm['ticks']} ticks of {mm['tick_s']} s, {mm['table_updates']} table updates, "
                  f"{mm['link_changes']} link changes, {mm['links_at_end']} links at the end")
        print(f"set-up: {s['setup_s']} s; PRL: " + (f"DNS {s['prl']['dns']} at {s['prl']['server']}"
                                                     if s['prl']['dns'] else "explicit"))
        print("impairment (configured vs observed, one way):")
        for n, r in self.calib.items():
            print(f"  {n:8s} delay {r['configured_delay_ms']} / {r['observed_delay_ms']} ms, "
                  f"loss {r['configured_loss']} / {r['observed_loss']}")
        print(f"results: {self.out}")
        return s

    def counters_(self):
        try:
            return json.load(open(os.path.join(self.out, "counters.json")))
        except Exception:  # noqa
            return {}

    def write_run_json(self):
        sha = hashlib.sha256(open(self.a.scenario, "rb").read()).hexdigest()
        ver = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                             capture_output=True, text=True).stdout.strip()
        run = {"scenario": self.s["run"]["name"], "scenario_path": self.a.scenario,
               "scenario_sha256": sha, "backend": "emu", "backend_version": "aerod 0.1 / mininet",
               "seed": self.a.seed or self.s["run"]["seed"], "run": self.s["run"]["run"],
               "started_utc": self.started, "duration_s": self.duration, "aero_version": ver,
               "time_scale": self.scale, "nd_reachable_ms": self.a.nd_reachable_ms or None,
               "aero_interface": "tap" if self.a.tap else "tun",
               "data_path": "kernel (aerod --fastpath) for Clients" if self.fastpath else "aerod (user space)"}
        json.dump(run, open(os.path.join(self.out, "run.json"), "w"), indent=1)
        open(os.path.join(self.out, "scenario.json"), "w").write(self.scen_text)

    # ---- teardown --------------------------------------------------------------
    def teardown(self):
        for name, p in list(self.aerod.items()):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.time() + 4
        for name, p in list(self.aerod.items()):
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGINT if "tcpdump" in name else signal.SIGTERM)
        for name, p in reversed(self.procs):
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self.net:
            try:
                self.net.stop()
            except Exception as e:  # noqa
                log(f"mininet stop: {e}")
            self.net = None

    def main(self):
        self.load()
        if os.geteuid() != 0:
            raise Fail("the emulation needs root (namespaces, OVS, TUN)", 3)
        for tool in ("ovs-vsctl", "tcpdump", "iptables", "ethtool", "ping"):
            if not shutil.which(tool):
                raise Fail(f"{tool} is missing (make deps installs it)", 3)
        for b in ("aerod", "aeroctl", "aero-impair"):
            if not os.access(os.path.join(self.build, b), os.X_OK):
                raise Fail(f"{self.build}/{b} is not built (make)", 3)
        # one run at a time: the bridges, hosts and links of a run have
        # fixed names (aesw<k>, ae<i>), and a second run would take or
        # delete the first one's. The lock lives as long as this process.
        import fcntl
        self.lockf = open(LOCK_PATH, "a")
        try:
            fcntl.flock(self.lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise Fail(f"another emulation run is going on ({LOCK_PATH} is locked); "
                       "wait for it to end", 3)
        left = [b for b in sh(["ovs-vsctl", "--timeout=5", "list-br"], check=False).split()
                if re.fullmatch(r"aesw\d+", b)]
        if left:
            raise Fail(f"OVS bridges of an earlier run are still there ({' '.join(left)}): "
                       "a run that was killed without its teardown; delete them with "
                       "ovs-vsctl del-br", 3)
        self.started = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
        self.out = self.a.out or os.path.join(ROOT, "results", f"{self.s['run']['name']}-"
                                              f"{datetime.datetime.utcnow().strftime('%Y%m%dT%H%M%S')}")
        for d in ("", "pcap", "logs", "ctl", "leases"):
            os.makedirs(os.path.join(self.out, d), exist_ok=True)
        self.start_ovs()
        if self.manet:
            self.load_positions()
        t_setup = time.time()
        cpu0 = os.times()
        log(f"building {len(self.nodes)} hosts on {len(self.nets)} OVS userspace bridges")
        self.build_net()
        self.t0 = time.monotonic_ns()
        self.config_hosts()
        self.write_hosts()
        self.write_run_json()
        if self.manet:
            self.babel()
            if self.manet_routing == "babeld":
                self.babel_wait(self.a.routing_wait)
        self.calibrate()
        self.bird()
        if not self.manet:  # MANET sessions come up as the radio allows
            self.bird_wait(self.a.routing_wait)
        self.start_dns()
        self.setup_s = round(time.time() - t_setup, 2)
        log(f"set-up took {self.setup_s} s")
        self.t0 = time.monotonic_ns()  # t = 0: the AERO nodes start
        # the wall-clock time of t = 0 (ping -D prints wall-clock stamps)
        self.t0_wall = time.time()
        for name, nd in self.nodes.items():
            self.capture(name, aero_too=False)
        for name, nd in self.nodes.items():
            if nd["role"] in ("client", "server", "relay"):
                self.start_aerod(name)
        time.sleep(0.5)
        for name in self.aerod:
            if self.aerod[name].poll() is not None:
                raise Fail(f"aerod {name} exited at start: "
                           f"{open(os.path.join(self.out, 'logs', name + '.stderr')).read().strip()}")
            if self.a.capture:
                self.capture_aero(name)
        log(f"running {self.duration:.0f} s of scenario time")
        self.run_timeline()
        self.collect()
        for name, p in self.procs:
            if name.startswith("flow") and p.poll() is None:
                p.send_signal(signal.SIGTERM if "ping" not in name else signal.SIGINT)
        time.sleep(1)
        flows = self.finish_flows()
        evs = self.merge_events()
        self.summary(evs, flows)

    def write_hosts(self):
        """logs/hosts.json: node -> Mininet host, its shell's PID (nsenter
        -t PID -n ... reaches its namespace), interfaces (and radio MAC)."""
        hs = {n: {"host": self.hosts[n].name, "pid": self.hosts[n].pid,
                  "interfaces": {f["network"]: self.ifname[(n, f["network"])] for f in d["interfaces"]}}
              for n, d in self.nodes.items()}
        if self.manet:
            for n in hs:
                hs[n]["mac"] = self.mac(n)
                hs[n]["address"] = self.nodes[n]["manet_address"]
        json.dump(hs, open(os.path.join(self.out, "logs", "hosts.json"), "w"), indent=1)

    def capture_aero(self, name):
        cap = self.s.get("capture", {})
        nodes = cap.get("nodes", "all")
        if not cap.get("aero", True) or (nodes != "all" and name not in nodes):
            return
        p = self.hosts[name].popen(["tcpdump", "-i", "aero0", "-U", "-s", "256", "-w",
                                    os.path.join(self.out, "pcap", f"{name}-aero.pcap")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append((f"{name}-tcpdump-aero0", p))


def main():
    ap = argparse.ArgumentParser(prog="aero emu", description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--out", help="results folder [results/<scenario>-<UTC time>/]")
    ap.add_argument("--seed", type=int, help="override run.seed")
    ap.add_argument("--duration", type=float, help="stop after S seconds (after --time-scale)")
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="multiply every scenario time by F (0.25: a 120 s scenario in 30 s)")
    ap.add_argument("--no-capture", dest="capture", action="store_false", help="no tcpdump")
    ap.add_argument("--calib-count", type=int, default=100, help="pings per network for the impairment check")
    ap.add_argument("--access-group", type=int, default=50,
                    help="hosts per kernel access bridge on a large network; 0: every host on OVS [50]")
    ap.add_argument("--access-threshold", type=int, default=100,
                    help="a network of more hosts than this gets access bridges [100]")
    ap.add_argument("--tap", action="store_true",
                    help="every aerod's AERO interface is a TAP device (Ethernet framing) instead of a TUN")
    ap.add_argument("--fastpath", action="store_true",
                    help="P1 Clients carry established data packets in the kernel (aerod --fastpath, "
                         "eBPF) instead of in aerod; IPv4 locators; not with MANET or --tap")
    ap.add_argument("--nd-reachable-ms", type=int, default=0,
                    help="kernel neighbour (ND/ARP) base reachable time on every host, ms, with a "
                         "proportional first-probe delay (1-5 s) [kernel default: 30000]")
    ap.add_argument("--progress", type=float, default=10, help="progress line every S seconds")
    ap.add_argument("--no-dns", action="store_true",
                    help="give Clients the PRL from the scenario instead of the DNS name")
    ap.add_argument("--domain", default="aero.test", help="DNS domain of the PRL name [aero.test]")
    ap.add_argument("--manet-tick", type=float, default=1.0,
                    help="MANET: positions sampled every S s of scenario time [1]")
    ap.add_argument("--babel-hello", type=float, default=1.0, help="MANET: babeld hello interval, s [1]")
    ap.add_argument("--routing-wait", type=float, default=30,
                    help="wait at most S s for the routing (BIRD sessions, babeld routes) before t = 0 [30]")
    ap.add_argument("--build", default=os.environ.get("AERO_BUILD", os.path.join(ROOT, "build")))
    a = ap.parse_args()
    a.build = os.path.abspath(a.build)
    a.scenario = os.path.abspath(a.scenario)
    if a.time_scale <= 0:
        ap.error("--time-scale must be > 0")
    r = Run(a)
    code = 0

    def on_sig(sig, frm):
        raise KeyboardInterrupt
    # SIGINT too: a runner started in the background of a script inherits
    # SIGINT ignored, and Ctrl-C / kill -INT must still tear down
    signal.signal(signal.SIGTERM, on_sig)
    signal.signal(signal.SIGINT, on_sig)
    try:
        r.main()
    except Fail as e:
        print(f"aero emu: {e}", file=sys.stderr)
        code = e.code
    except KeyboardInterrupt:
        print("aero emu: interrupted; tearing down", file=sys.stderr)
        code = 1
    finally:
        r.teardown()
    return code


if __name__ == "__main__":
    sys.exit(main())
