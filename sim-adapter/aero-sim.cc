/*
 * sim-adapter/aero-sim.cc -- the ns-3 runner behind `./aero sim`.
 *
 *   aero-sim SCENARIO [--out DIR] [--seed N] [--quiet] [--duration S] [--plain]
 *
 * Builds the network of a scenario (scenarios/loader: the one loader),
 * runs it in ns-3 and writes the results folder of analysis/RESULTS.md.
 *
 * Model choices (also in sim-adapter/README.md):
 *  - wired underlay: one broadcast segment per network, AeroSegmentChannel
 *    (one-way delay) with a SimpleNetDevice per attached interface (data
 *    rate, DropTail queue in packets, loss = a RateErrorModel per receiving
 *    device, ARP/ND as on Ethernet). Not CSMA: ns-3's CsmaChannel keeps the
 *    medium busy for the whole propagation delay, so a 10 ms segment would
 *    carry at most ~100 frames/s in total. Jitter: delay +- U(jitter) per frame. Servers, Relays and Routers forward IPv4/IPv6
 *    between networks on static routes computed here by breadth-first
 *    search (fewest networks crossed; ties: scenario order); Clients and
 *    correspondents do not forward.
 *  - MANET underlay: Wi-Fi ad hoc (YansWifi, AeroRangeLossModel: range and
 *    loss_at_range, ConstantSpeedPropagationDelay), IPv4 only (OLSR/AODV are IPv4-only in ns-3), addresses
 *    10.0.0.0/16 with host part = node index + 1; mobility from the ns-2
 *    trace (Ns2MobilityHelper), the rest on fixed positions.
 *  - Locators: Servers/Relays their first interface, port link.port;
 *    Clients the first interface on a network shared with a Server (else
 *    their first), port 49152. Clients learn the PRL from the name service
 *    (AeroNameTable, name "prl.aero.test"): every Server, scenario order.
 *  - Correspondents: plain IPv6 on their networks (aero_scen_native6), a
 *    default route via a Relay on that network. A Relay has IPv6 with its
 *    native address on every network that has a correspondent, IPv6
 *    forwarding on and its aggregates routed to aero0.
 *  - Route distribution: AeroRouteBus (iBGP UPDATEs as UDP packets to port
 *    179 on the underlay; session loss noticed after HoldTime = 10 ms).
 */
#include "aero-application.h"
#include "aero-channel.h"
#include "aero-helper.h"

#include "ns3/aodv-helper.h"
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/simple-channel.h"
#include "ns3/simple-net-device.h"
#include "ns3/error-model.h"
#include "ns3/drop-tail-queue.h"
#include "ns3/icmpv4.h"
#include "ns3/ndisc-cache.h"
#include "ns3/ipv6-interface.h"
#include "ns3/icmpv6-header.h"
#include "ns3/ipv4-raw-socket-factory.h"
#include "ns3/internet-module.h"
#include "ns3/ipv6-raw-socket-factory.h"
#include "ns3/mobility-module.h"
#include "ns3/network-module.h"
#include "ns3/ns2-mobility-helper.h"
#include "ns3/olsr-helper.h"
#include "ns3/version-defines.h"
#include "ns3/wifi-module.h"

#include <glib.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>

extern "C" {
#include "scenario.h"
}

using namespace ns3;


namespace
{

const uint16_t kClientPort = 49152;
const uint16_t kFlowPortBase = 9000;
const char* const kPrlName = "prl.aero.test";

/* ---- small helpers ------------------------------------------------------ */

std::string
TimeStr(int64_t ns)
{
    char b[48];
    bool neg = ns < 0;
    uint64_t a = neg ? (uint64_t)(-ns) : (uint64_t)ns;
    std::snprintf(b, sizeof b, "%s%" PRIu64 ".%09" PRIu64, neg ? "-" : "", a / 1000000000u,
                  a % 1000000000u);
    return b;
}

std::string
JsonStr(const std::string& s)
{
    std::string o = "\"";
    for (unsigned char c : s)
    {
        if (c == '"' || c == '\\')
        {
            o += '\\';
            o += (char)c;
        }
        else if (c < 0x20)
        {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
        }
        else
        {
            o += (char)c;
        }
    }
    return o + "\"";
}

std::string
In6Str(const aero_in6& a)
{
    char b[64];
    return aero_in6_format(&a, b, sizeof b);
}

std::string
LocStr(const aero_loc& l)
{
    char b[64];
    return aero_loc_format(&l, b, sizeof b);
}

Ipv6Address
ToV6(const aero_in6& a)
{
    return Ipv6Address(const_cast<uint8_t*>(a.b));
}

Ipv4Address
ToV4(const aero_in6& a)
{
    return Ipv4Address::Deserialize(a.b + 12);
}

bool
IsZero(const aero_in6& a)
{
    static const aero_in6 z = {};
    return std::memcmp(a.b, z.b, 16) == 0;
}

/* ---- the run ------------------------------------------------------------ */

struct IfInfo
{
    unsigned net;
    aero_in6 addr;
    Ptr<NetDevice> dev;
    int32_t v4 = -1, v6 = -1; /* interface indexes */
    bool up = true;
};

struct NodeInfo
{
    std::string name;
    aero_scen_role role;
    Ptr<Node> node;
    std::vector<IfInfo> ifs;
    Ptr<AeroApplication> app;
    std::vector<std::pair<unsigned, aero_in6>> underlayRoutes; /* net, gw */
    std::vector<int64_t> firstPrefix;
    int64_t prefixAt = -1;
    std::string prefix;
    unsigned handovers = 0;
};

/* A host behind a router/hybrid Client's downstream link 1 (AeroApplication::
 * SetDownstreamLan), pinged by the first correspondent. */
struct LanHost
{
    unsigned client;
    std::string name;
    Ptr<Node> node;
    Ptr<NetDevice> dev, rdev;
    Ipv6Address addr;
    int64_t addrAt = -1;
    uint64_t tx = 0, rx = 0;
    double rttSum = 0;
    uint16_t id = 0;
};

struct FlowStats
{
    uint64_t tx = 0, rx = 0, txBytes = 0, rxBytes = 0;
    double delaySum = 0, delayMin = 1e18, delayMax = 0;
    std::vector<int64_t> rxTimes;
};

class Run
{
  public:
    aero_scenario* s = nullptr;
    std::string outDir;
    uint32_t seed = 1;
    bool quiet = false;
    bool plain = false; /* --plain: no AERO, traffic natively over the IPv4 MANET */
    bool lanHosts = true; /* --no-lan-hosts turns them off */
    std::vector<LanHost> lans;
    Ptr<Socket> lanPing; /* ICMPv6 raw socket on the first correspondent */
    int lanPinger = -1;
    std::vector<NodeInfo> nodes;
    std::vector<FlowStats> flows;
    FILE* evf = nullptr;
    FILE* flf = nullptr;
    FILE* posf = nullptr;
    Ptr<AeroNameTable> names;
    Ptr<AeroRouteBus> bus;
    AeroHelper helper;
    std::vector<std::vector<int>> bfsDist; /* [dest net][net] */
    std::vector<std::vector<int>> bfsVia;  /* router node index */
    unsigned roUp = 0, roDown = 0;
    std::chrono::steady_clock::time_point wallStart, wallLast;
    uint64_t evLast = 0;

    bool Build();
    void BuildWired();
    void BuildManet();
    void InstallAero();
    void InstallLanHosts();
    void LanPing();
    void LanEcho(Ptr<Socket> sk);
    void InstallTraffic();
    void ScheduleEvents();
    void EnableCaptures();
    void Finish(const std::string& startedUtc, double wall);

    aero_loc Locator(unsigned i) const;
    bool IsRouter(unsigned i) const
    {
        auto r = nodes[i].role;
        return r == AERO_SCEN_ROLE_SERVER || r == AERO_SCEN_ROLE_RELAY ||
               r == AERO_SCEN_ROLE_ROUTER;
    }
    int IfOn(unsigned i, unsigned net) const
    {
        for (size_t k = 0; k < nodes[i].ifs.size(); k++)
        {
            if (nodes[i].ifs[k].net == net)
            {
                return (int)k;
            }
        }
        return -1;
    }
    void ComputeBfs();
    void InstallUnderlayRoutes(unsigned i);
    void SetIfUp(unsigned i, unsigned k, bool up);
    Ipv6Address CurrentAddr(unsigned i) const;
    Ipv4Address ManetAddr(unsigned i) const { return ToV4(nodes[i].ifs[0].addr); }
    void LogEvent(const std::string& node, const aero_event& ev);
    void LogScenario(unsigned node, const char* name, const std::string& extra);
    void LogFlow(unsigned k, uint32_t seq, const char* dir, unsigned node, uint32_t bytes,
                 double delay, bool hasDelay, const char* extraKey = nullptr, double extra = 0);
    void Progress();
    void SamplePositions();
};

Run* g_run = nullptr;

/* ---- traffic ------------------------------------------------------------ */

/* udp_cbr and ping sender; the payload carries flow, seq, tx time (ns). */
class AeroFlowApp : public Application
{
  public:
    unsigned flow = 0, from = 0, to = 0;
    bool ping = false;
    Time interval;
    uint32_t size = 200;
    uint16_t echoId = 0;

  private:
    void StartApplication() override
    {
        m_running = true;
        if (ping && !g_run->plain)
        {
            m_raw = Socket::CreateSocket(GetNode(), Ipv6RawSocketFactory::GetTypeId());
            m_raw->SetAttribute("Protocol", UintegerValue(Icmpv6L4Protocol::GetStaticProtocolNumber()));
            m_raw->Bind6();
            m_raw->SetRecvCallback(MakeCallback(&AeroFlowApp::EchoReply, this));
        }
        Send();
    }
    void StopApplication() override
    {
        m_running = false;
        m_ev.Cancel();
    }
    Ptr<Packet> Payload()
    {
        std::vector<uint8_t> b(std::max<uint32_t>(size, 16), 0);
        uint64_t t = (uint64_t)Simulator::Now().GetNanoSeconds();
        for (int i = 0; i < 4; i++)
        {
            b[i] = (uint8_t)(flow >> (24 - 8 * i));
            b[4 + i] = (uint8_t)(m_seq >> (24 - 8 * i));
        }
        for (int i = 0; i < 8; i++)
        {
            b[8 + i] = (uint8_t)(t >> (56 - 8 * i));
        }
        return Create<Packet>(b.data(), b.size());
    }
    void Send()
    {
        if (!m_running)
        {
            return;
        }
        if (g_run->plain)
        {
            SendPlain();
            m_seq++;
            m_ev = Simulator::Schedule(interval, &AeroFlowApp::Send, this);
            return;
        }
        Ipv6Address src = g_run->CurrentAddr(from);
        Ipv6Address dst = g_run->CurrentAddr(to);
        Ptr<Packet> p = Payload();
        g_run->LogFlow(flow, m_seq, "tx", from, p->GetSize(), 0, false);
        if (!src.IsAny() && !dst.IsAny())
        {
            if (ping)
            {
                Icmpv6Echo req(true);
                req.SetId(echoId);
                req.SetSeq((uint16_t)m_seq);
                req.CalculatePseudoHeaderChecksum(src,
                                                  dst,
                                                  p->GetSize() + req.GetSerializedSize(),
                                                  Icmpv6L4Protocol::GetStaticProtocolNumber());
                p->AddHeader(req);
                if (src != m_bound)
                {
                    m_raw->Close();
                    m_raw = Socket::CreateSocket(GetNode(), Ipv6RawSocketFactory::GetTypeId());
                    m_raw->SetAttribute("Protocol",
                                        UintegerValue(Icmpv6L4Protocol::GetStaticProtocolNumber()));
                    m_raw->Bind(Inet6SocketAddress(src, 0));
                    m_raw->SetRecvCallback(MakeCallback(&AeroFlowApp::EchoReply, this));
                    m_bound = src;
                }
                m_raw->SendTo(p, 0, Inet6SocketAddress(dst, 0));
            }
            else
            {
                if (!m_udp || src != m_bound)
                {
                    if (m_udp)
                    {
                        m_udp->Close();
                    }
                    m_udp = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
                    m_udp->Bind(Inet6SocketAddress(src, 0));
                    m_bound = src;
                }
                m_udp->SendTo(p, 0, Inet6SocketAddress(dst, kFlowPortBase + flow));
            }
        }
        m_seq++;
        m_ev = Simulator::Schedule(interval, &AeroFlowApp::Send, this);
    }
    /* --plain: the same payload natively over IPv4 (UDP, or ICMPv4 echo) */
    void SendPlain()
    {
        Ipv4Address dst = g_run->ManetAddr(to);
        Ptr<Packet> p = Payload();
        g_run->LogFlow(flow, m_seq, "tx", from, p->GetSize(), 0, false);
        if (ping)
        {
            if (!m_raw4)
            {
                m_raw4 = Socket::CreateSocket(GetNode(), Ipv4RawSocketFactory::GetTypeId());
                m_raw4->SetAttribute("Protocol", UintegerValue(1));
                m_raw4->SetRecvCallback(MakeCallback(&AeroFlowApp::EchoReply4, this));
            }
            Icmpv4Echo echo;
            echo.SetIdentifier(echoId);
            echo.SetSequenceNumber((uint16_t)m_seq);
            echo.SetData(p);
            Ptr<Packet> q = Create<Packet>();
            q->AddHeader(echo);
            Icmpv4Header h;
            h.SetType(Icmpv4Header::ICMPV4_ECHO);
            h.SetCode(0);
            if (Node::ChecksumEnabled())
            {
                h.EnableChecksum();
            }
            q->AddHeader(h);
            m_raw4->SendTo(q, 0, InetSocketAddress(dst, 0));
            return;
        }
        if (!m_udp)
        {
            m_udp = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
            m_udp->Bind();
        }
        m_udp->SendTo(p, 0, InetSocketAddress(dst, kFlowPortBase + flow));
    }
    /* An echo reply's payload starts with the request's (4 bytes, seq,
     * send time in ns) as written by the sender: log the round trip. */
    void LogEcho(const uint8_t* b, uint32_t size)
    {
        uint32_t seq = 0;
        uint64_t t = 0;
        for (int i = 0; i < 4; i++)
        {
            seq = seq << 8 | b[4 + i];
        }
        for (int i = 0; i < 8; i++)
        {
            t = t << 8 | b[8 + i];
        }
        double rtt = (Simulator::Now().GetNanoSeconds() - (int64_t)t) / 1e9;
        g_run->LogFlow(flow, seq, "rx", from, size, rtt, false, "rtt", rtt);
    }
    void EchoReply4(Ptr<Socket> s)
    {
        Ptr<Packet> p;
        Address a;
        while ((p = s->RecvFrom(a)))
        {
            Ipv4Header ip;
            p->RemoveHeader(ip);
            Icmpv4Header h;
            p->RemoveHeader(h);
            if (h.GetType() != Icmpv4Header::ICMPV4_ECHO_REPLY)
            {
                continue;
            }
            Icmpv4Echo rep;
            p->RemoveHeader(rep);
            if (rep.GetIdentifier() != echoId || rep.GetDataSize() < 16)
            {
                continue;
            }
            std::vector<uint8_t> b(rep.GetDataSize());
            rep.GetData(b.data());
            LogEcho(b.data(), (uint32_t)b.size());
        }
    }
    void EchoReply(Ptr<Socket> s)
    {
        Ptr<Packet> p;
        Address from6;
        while ((p = s->RecvFrom(from6)))
        {
            Ipv6Header ip;
            p->RemoveHeader(ip);
            Icmpv6Header peek;
            p->PeekHeader(peek);
            if (peek.GetType() != Icmpv6Header::ICMPV6_ECHO_REPLY)
            {
                continue;
            }
            Icmpv6Echo rep(false);
            p->RemoveHeader(rep);
            if (rep.GetId() != echoId || p->GetSize() < 16)
            {
                continue;
            }
            uint8_t b[16];
            p->CopyData(b, 16);
            LogEcho(b, p->GetSize());
        }
    }

    bool m_running = false;
    uint32_t m_seq = 0;
    EventId m_ev;
    Ptr<Socket> m_udp, m_raw, m_raw4;
    Ipv6Address m_bound;
};

void
UdpSinkRead(unsigned flow, unsigned node, Ptr<Socket> s)
{
    Ptr<Packet> p;
    Address from;
    while ((p = s->RecvFrom(from)))
    {
        if (p->GetSize() < 16)
        {
            continue;
        }
        uint8_t b[16];
        p->CopyData(b, 16);
        uint32_t f = 0, seq = 0;
        uint64_t t = 0;
        for (int i = 0; i < 4; i++)
        {
            f = f << 8 | b[i];
            seq = seq << 8 | b[4 + i];
        }
        for (int i = 0; i < 8; i++)
        {
            t = t << 8 | b[8 + i];
        }
        if (f != flow)
        {
            continue;
        }
        double d = (Simulator::Now().GetNanoSeconds() - (int64_t)t) / 1e9;
        g_run->LogFlow(flow, seq, "rx", node, p->GetSize(), d, true);
    }
}

void
TcpTx(unsigned flow, unsigned node, Ptr<const Packet> p)
{
    static std::map<unsigned, uint32_t> seq;
    g_run->LogFlow(flow, seq[flow]++, "tx", node, p->GetSize(), 0, false);
}

void
TcpRx(unsigned flow, unsigned node, Ptr<const Packet> p, const Address&)
{
    static std::map<unsigned, uint32_t> seq;
    g_run->LogFlow(flow, seq[flow]++, "rx", node, p->GetSize(), 0, false);
}

void
StartTcp(unsigned flow, unsigned from, unsigned to, Time stop)
{
    if (g_run->plain)
    {
        BulkSendHelper bulk("ns3::TcpSocketFactory",
                            InetSocketAddress(g_run->ManetAddr(to), kFlowPortBase + flow));
        bulk.SetAttribute("SendSize", UintegerValue(1000));
        ApplicationContainer a = bulk.Install(g_run->nodes[from].node);
        a.Get(0)->TraceConnectWithoutContext("Tx", MakeBoundCallback(&TcpTx, flow, from));
        a.Start(Time(0));
        a.Stop(stop - Simulator::Now());
        return;
    }
    Ipv6Address src = g_run->CurrentAddr(from);
    Ipv6Address dst = g_run->CurrentAddr(to);
    if (src.IsAny() || dst.IsAny())
    {
        /* no address yet: try again in a second */
        if (Simulator::Now() + Seconds(1) < stop)
        {
            Simulator::Schedule(Seconds(1), &StartTcp, flow, from, to, stop);
        }
        return;
    }
    BulkSendHelper bulk("ns3::TcpSocketFactory", Inet6SocketAddress(dst, kFlowPortBase + flow));
    bulk.SetAttribute("Local", AddressValue(Inet6SocketAddress(src, 0)));
    bulk.SetAttribute("SendSize", UintegerValue(1000));
    ApplicationContainer a = bulk.Install(g_run->nodes[from].node);
    a.Get(0)->TraceConnectWithoutContext("Tx", MakeBoundCallback(&TcpTx, flow, from));
    a.Start(Time(0));
    a.Stop(stop - Simulator::Now());
}

} // namespace

/* ---- Run methods -------------------------------------------------------- */

void
Run::LogEvent(const std::string& node, const aero_event& ev)
{
    std::string l = "{\"t\": " + TimeStr(Simulator::Now().GetNanoSeconds()) +
                    ", \"node\": " + JsonStr(node) + ", \"type\": " +
                    JsonStr(aero_event_name(ev.type));
    bool pfx = ev.type == AERO_EV_PREFIX_DELEGATED || ev.type == AERO_EV_PREFIX_RENEWED ||
               ev.type == AERO_EV_PREFIX_LOST || ev.type == AERO_EV_ROUTE_ADD ||
               ev.type == AERO_EV_ROUTE_DEL || ev.type == AERO_EV_ROUTE_ANNOUNCE ||
               ev.type == AERO_EV_ROUTE_WITHDRAW || ev.type == AERO_EV_RO_UP ||
               ev.type == AERO_EV_RO_DOWN;
    if (pfx)
    {
        l += ", \"prefix\": \"" + In6Str(ev.prefix) + "/" + std::to_string(ev.plen) + "\"";
    }
    if (ev.type == AERO_EV_RO_UP || ev.type == AERO_EV_RO_DOWN)
    {
        l += ", \"src_prefix\": \"" + In6Str(ev.src_prefix) + "/" + std::to_string(ev.src_plen) +
             "\"";
    }
    if (!IsZero(ev.addr) || ev.type == AERO_EV_ADDR_ADD || ev.type == AERO_EV_ADDR_DEL)
    {
        l += ", \"addr\": \"" + In6Str(ev.addr) + "\"";
    }
    if (ev.loc.family)
    {
        l += ", \"loc\": \"" + LocStr(ev.loc) + "\"";
    }
    if (ev.name)
    {
        l += ", \"name\": " + JsonStr(ev.name);
    }
    if (ev.type == AERO_EV_PREFIX_DELEGATED || ev.type == AERO_EV_PREFIX_RENEWED)
    {
        l += ", \"vltime\": " + std::to_string(ev.vltime) +
             ", \"pltime\": " + std::to_string(ev.pltime);
    }
    if (ev.type == AERO_EV_ADDR_ADD || ev.type == AERO_EV_ADDR_DEL ||
        ev.type == AERO_EV_ROUTE_ADD || ev.type == AERO_EV_ROUTE_DEL)
    {
        l += ", \"ifindex\": " + std::to_string(ev.ifindex);
    }
    l += "}\n";
    std::fputs(l.c_str(), evf);
}

void
Run::LogScenario(unsigned node, const char* name, const std::string& extra)
{
    std::fprintf(evf,
                 "{\"t\": %s, \"node\": %s, \"type\": \"scenario\", \"name\": \"%s\"%s}\n",
                 TimeStr(Simulator::Now().GetNanoSeconds()).c_str(),
                 JsonStr(nodes[node].name).c_str(),
                 name,
                 extra.c_str());
}

void
Run::LogFlow(unsigned k, uint32_t seq, const char* dir, unsigned node, uint32_t bytes,
             double delay, bool hasDelay, const char* extraKey, double extra)
{
    FlowStats& f = flows[k];
    int64_t now = Simulator::Now().GetNanoSeconds();
    std::string l = "{\"t\": " + TimeStr(now) + ", \"flow\": " + std::to_string(k) +
                    ", \"seq\": " + std::to_string(seq) + ", \"dir\": \"" + dir +
                    "\", \"node\": " + JsonStr(nodes[node].name) +
                    ", \"bytes\": " + std::to_string(bytes);
    char b[64];
    if (hasDelay)
    {
        std::snprintf(b, sizeof b, ", \"delay\": %.9f", delay);
        l += b;
    }
    if (extraKey)
    {
        std::snprintf(b, sizeof b, ", \"%s\": %.9f", extraKey, extra);
        l += b;
    }
    l += "}\n";
    std::fputs(l.c_str(), flf);
    if (dir[0] == 't')
    {
        f.tx++;
        f.txBytes += bytes;
    }
    else
    {
        f.rx++;
        f.rxBytes += bytes;
        f.rxTimes.push_back(now);
        double d = hasDelay ? delay : (extraKey ? extra : -1);
        if (d >= 0)
        {
            f.delaySum += d;
            f.delayMin = std::min(f.delayMin, d);
            f.delayMax = std::max(f.delayMax, d);
        }
    }
}

aero_loc
Run::Locator(unsigned i) const
{
    const NodeInfo& n = nodes[i];
    aero_loc l;
    std::memset(&l, 0, sizeof l);
    if (n.ifs.empty())
    {
        return l;
    }
    size_t pick = 0;
    uint16_t port = s->link.port;
    if (n.role == AERO_SCEN_ROLE_CLIENT)
    {
        port = kClientPort;
        bool found = false;
        for (size_t k = 0; k < n.ifs.size() && !found; k++)
        {
            if (!n.ifs[k].up)
            {
                continue;
            }
            for (unsigned j = 0; j < nodes.size() && !found; j++)
            {
                if (nodes[j].role == AERO_SCEN_ROLE_SERVER && IfOn(j, n.ifs[k].net) >= 0)
                {
                    pick = k;
                    found = true;
                }
            }
        }
        if (!found)
        {
            for (size_t k = 0; k < n.ifs.size(); k++)
            {
                if (n.ifs[k].up)
                {
                    pick = k;
                    break;
                }
            }
        }
    }
    const aero_in6& a = n.ifs[pick].addr;
    if (s->family == AERO_FAMILY_IPV4)
    {
        l = aero_loc_v4(a.b[12], a.b[13], a.b[14], a.b[15], port);
    }
    else
    {
        l = aero_loc_v6(&a, port);
    }
    return l;
}

Ipv6Address
Run::CurrentAddr(unsigned i) const
{
    const NodeInfo& n = nodes[i];
    Ptr<Ipv6> ipv6 = n.node->GetObject<Ipv6>();
    if (n.role == AERO_SCEN_ROLE_CORRESPONDENT || !n.app)
    {
        aero_in6 a;
        aero_scen_native6(s, i, 0, &a);
        return ToV6(a);
    }
    /* the AERO interface first, then the downstream links */
    for (uint32_t ifx = 0; ifx < ipv6->GetNInterfaces(); ifx++)
    {
        Ptr<NetDevice> d = ipv6->GetNetDevice(ifx);
        if (!DynamicCast<VirtualNetDevice>(d))
        {
            continue;
        }
        for (uint32_t k = 0; k < ipv6->GetNAddresses(ifx); k++)
        {
            Ipv6InterfaceAddress a = ipv6->GetAddress(ifx, k);
            if (a.GetScope() == Ipv6InterfaceAddress::GLOBAL)
            {
                return a.GetAddress();
            }
        }
    }
    return Ipv6Address::GetAny();
}

void
Run::SetIfUp(unsigned i, unsigned k, bool up)
{
    IfInfo& f = nodes[i].ifs[k];
    f.up = up;
    if (f.v4 >= 0)
    {
        Ptr<Ipv4> ip = nodes[i].node->GetObject<Ipv4>();
        up ? ip->SetUp(f.v4) : ip->SetDown(f.v4);
    }
    if (f.v6 >= 0)
    {
        Ptr<Ipv6> ip = nodes[i].node->GetObject<Ipv6>();
        up ? ip->SetUp(f.v6) : ip->SetDown(f.v6);
    }
}

void
Run::ComputeBfs()
{
    unsigned nn = s->networks->len;
    bfsDist.assign(nn, std::vector<int>(nn, -1));
    bfsVia.assign(nn, std::vector<int>(nn, -1));
    for (unsigned dst = 0; dst < nn; dst++)
    {
        std::vector<int>& dist = bfsDist[dst];
        std::vector<int>& via = bfsVia[dst];
        std::vector<unsigned> q{dst};
        dist[dst] = 0;
        for (size_t h = 0; h < q.size(); h++)
        {
            unsigned x = q[h];
            for (unsigned r = 0; r < nodes.size(); r++)
            {
                if (!IsRouter(r) || IfOn(r, x) < 0)
                {
                    continue;
                }
                for (auto& f : nodes[r].ifs)
                {
                    if (dist[f.net] < 0)
                    {
                        dist[f.net] = dist[x] + 1;
                        via[f.net] = (int)r;
                        q.push_back(f.net);
                    }
                }
            }
        }
    }
}

void
Run::InstallUnderlayRoutes(unsigned i)
{
    NodeInfo& n = nodes[i];
    bool v4 = s->family == AERO_FAMILY_IPV4;
    Ptr<Ipv4StaticRouting> r4;
    Ptr<Ipv6StaticRouting> r6;
    if (v4)
    {
        r4 = Ipv4StaticRoutingHelper().GetStaticRouting(n.node->GetObject<Ipv4>());
    }
    else
    {
        r6 = Ipv6StaticRoutingHelper().GetStaticRouting(n.node->GetObject<Ipv6>());
    }
    /* remove what we installed before */
    for (auto& e : n.underlayRoutes)
    {
        const aero_scen_network* net = (const aero_scen_network*)s->networks->pdata[e.first];
        if (v4)
        {
            for (uint32_t k = r4->GetNRoutes(); k-- > 0;)
            {
                Ipv4RoutingTableEntry re = r4->GetRoute(k);
                if (re.GetDestNetwork() == ToV4(net->prefix.addr) && re.GetGateway() == ToV4(e.second))
                {
                    r4->RemoveRoute(k);
                }
            }
        }
        else
        {
            for (uint32_t k = r6->GetNRoutes(); k-- > 0;)
            {
                Ipv6RoutingTableEntry re = r6->GetRoute(k);
                if (re.GetDestNetwork() == ToV6(net->prefix.addr) && re.GetGateway() == ToV6(e.second))
                {
                    r6->RemoveRoute(k);
                }
            }
        }
    }
    n.underlayRoutes.clear();
    for (unsigned dst = 0; dst < s->networks->len; dst++)
    {
        int best = -1, bestDist = 1 << 30;
        for (size_t k = 0; k < n.ifs.size(); k++)
        {
            if (!n.ifs[k].up)
            {
                continue;
            }
            if (n.ifs[k].net == dst)
            {
                best = -1;
                bestDist = 0;
                break;
            }
            int d = bfsDist[dst][n.ifs[k].net];
            if (d > 0 && d < bestDist && bfsVia[dst][n.ifs[k].net] != (int)i)
            {
                best = (int)k;
                bestDist = d;
            }
        }
        if (best < 0)
        {
            continue;
        }
        const IfInfo& f = n.ifs[best];
        int g = bfsVia[dst][f.net];
        int gk = IfOn(g, f.net);
        if (gk < 0)
        {
            continue;
        }
        aero_in6 gw = nodes[g].ifs[gk].addr;
        const aero_scen_network* net = (const aero_scen_network*)s->networks->pdata[dst];
        if (v4)
        {
            Ipv4Mask m(net->prefix.plen == 0 ? 0u : ~0u << (32 - net->prefix.plen));
            r4->AddNetworkRouteTo(ToV4(net->prefix.addr), m, ToV4(gw), f.v4);
        }
        else
        {
            r6->AddNetworkRouteTo(ToV6(net->prefix.addr), Ipv6Prefix(net->prefix.plen), ToV6(gw),
                                  f.v6);
        }
        n.underlayRoutes.emplace_back(dst, gw);
    }
}

bool
Run::Build()
{
    unsigned nn = s->nodes->len;
    nodes.resize(nn);
    for (unsigned i = 0; i < nn; i++)
    {
        const aero_scen_node* sn = (const aero_scen_node*)s->nodes->pdata[i];
        nodes[i].name = sn->name;
        nodes[i].role = sn->role;
        nodes[i].node = CreateObject<Node>();
        Names::Add(sn->name, nodes[i].node);
    }
    if (s->manet_mode)
    {
        if (s->family != AERO_FAMILY_IPV4)
        {
            std::fprintf(stderr, "aero-sim: a MANET underlay must be IPv4 (ns-3's OLSR and AODV are IPv4-only)\n");
            return false;
        }
        BuildManet();
    }
    else
    {
        BuildWired();
    }
    if (plain)
    {
        names = CreateObject<AeroNameTable>();
        bus = CreateObject<AeroRouteBus>();
    }
    else
    {
        InstallAero();
        if (lanHosts)
        {
            InstallLanHosts();
        }
    }
    InstallTraffic();
    ScheduleEvents();
    EnableCaptures();
    return true;
}

void
Run::BuildWired()
{
    InternetStackHelper stack;
    for (auto& n : nodes)
    {
        stack.Install(n.node);
    }
    unsigned nn = nodes.size();
    std::vector<Ptr<AeroSegmentChannel>> chans;
    for (unsigned j = 0; j < s->networks->len; j++)
    {
        const aero_scen_network* net = (const aero_scen_network*)s->networks->pdata[j];
        Ptr<AeroSegmentChannel> ch = CreateObject<AeroSegmentChannel>();
        ch->SetAttribute("SegmentDelay", TimeValue(NanoSeconds(net->delay)));
        ch->SetAttribute("Jitter", TimeValue(NanoSeconds(net->jitter)));
        chans.push_back(ch);
    }
    /* interfaces as written, then standby ones for the networks a move
     * event takes the node to */
    for (unsigned i = 0; i < nn; i++)
    {
        const aero_scen_node* sn = (const aero_scen_node*)s->nodes->pdata[i];
        for (unsigned k = 0; k < sn->ifaces->len; k++)
        {
            const aero_scen_iface& f = g_array_index(sn->ifaces, struct aero_scen_iface, k);
            IfInfo info;
            info.net = f.network;
            info.addr = f.addr;
            nodes[i].ifs.push_back(info);
        }
    }
    for (unsigned e = 0; e < s->events->len; e++)
    {
        const aero_scen_event& ev = g_array_index(s->events, struct aero_scen_event, e);
        if (ev.type == AERO_EVENT_MOVE && ev.to >= 0 && IfOn(ev.node, ev.to) < 0)
        {
            IfInfo info;
            info.net = ev.to;
            info.addr = ev.to_addr;
            info.up = false;
            nodes[ev.node].ifs.push_back(info);
        }
    }
    ObjectFactory qf;
    for (unsigned i = 0; i < nn; i++)
    {
        NodeInfo& n = nodes[i];
        Ptr<Ipv4> ip4 = n.node->GetObject<Ipv4>();
        Ptr<Ipv6> ip6 = n.node->GetObject<Ipv6>();
        if (!IsRouter(i))
        {
            ip4->SetAttribute("IpForward", BooleanValue(false));
        }
        for (auto& f : n.ifs)
        {
            const aero_scen_network* net = (const aero_scen_network*)s->networks->pdata[f.net];
            Ptr<SimpleNetDevice> dev = CreateObject<SimpleNetDevice>();
            dev->SetAddress(Mac48Address::Allocate());
            Ptr<DropTailQueue<Packet>> q = CreateObject<DropTailQueue<Packet>>();
            q->SetAttribute("MaxSize", QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, net->queue ? net->queue : 100)));
            dev->SetQueue(q);
            if (net->rate)
            {
                dev->SetAttribute("DataRate", DataRateValue(DataRate(net->rate)));
            }
            if (net->loss > 0)
            {
                Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
                em->SetAttribute("ErrorUnit", EnumValue(RateErrorModel::ERROR_UNIT_PACKET));
                em->SetAttribute("ErrorRate", DoubleValue(net->loss));
                dev->SetReceiveErrorModel(em);
            }
            dev->SetChannel(chans[f.net]);
            n.node->AddDevice(dev);
            f.dev = dev;
            if (s->family == AERO_FAMILY_IPV4)
            {
                f.v4 = ip4->AddInterface(dev);
                Ipv4Mask m(net->prefix.plen == 0 ? 0u : ~0u << (32 - net->prefix.plen));
                ip4->AddAddress(f.v4, Ipv4InterfaceAddress(ToV4(f.addr), m));
                ip4->SetMetric(f.v4, 1);
                f.up ? ip4->SetUp(f.v4) : ip4->SetDown(f.v4);
            }
            else
            {
                f.v6 = ip6->AddInterface(dev);
                ip6->AddAddress(f.v6, Ipv6InterfaceAddress(ToV6(f.addr), Ipv6Prefix(net->prefix.plen)));
                ip6->SetMetric(f.v6, 1);
                ip6->SetForwarding(f.v6, IsRouter(i));
                f.up ? ip6->SetUp(f.v6) : ip6->SetDown(f.v6);
            }
        }
    }
    ComputeBfs();
    for (unsigned i = 0; i < nn; i++)
    {
        InstallUnderlayRoutes(i);
    }
    /* correspondents and the Relay's outside: native IPv6 */
    std::vector<bool> outside(s->networks->len, false);
    for (unsigned i = 0; i < nn; i++)
    {
        if (nodes[i].role == AERO_SCEN_ROLE_CORRESPONDENT)
        {
            for (auto& f : nodes[i].ifs)
            {
                outside[f.net] = true;
            }
        }
    }
    for (unsigned i = 0; i < nn; i++)
    {
        NodeInfo& n = nodes[i];
        bool cn = n.role == AERO_SCEN_ROLE_CORRESPONDENT;
        if (!cn && n.role != AERO_SCEN_ROLE_RELAY)
        {
            continue;
        }
        Ptr<Ipv6> ip6 = n.node->GetObject<Ipv6>();
        for (size_t k = 0; k < n.ifs.size(); k++)
        {
            IfInfo& f = n.ifs[k];
            if (!outside[f.net] || f.v6 >= 0)
            {
                continue;
            }
            aero_in6 a;
            aero_scen_native6(s, i, k, &a);
            f.v6 = ip6->AddInterface(f.dev);
            ip6->AddAddress(f.v6, Ipv6InterfaceAddress(ToV6(a), Ipv6Prefix(64)));
            ip6->SetUp(f.v6);
            if (cn)
            {
                for (unsigned r = 0; r < nn; r++)
                {
                    int rk = nodes[r].role == AERO_SCEN_ROLE_RELAY ? IfOn(r, f.net) : -1;
                    if (rk >= 0)
                    {
                        aero_in6 ra;
                        aero_scen_native6(s, r, rk, &ra);
                        Ipv6StaticRoutingHelper()
                            .GetStaticRouting(ip6)
                            ->SetDefaultRoute(ToV6(ra), f.v6);
                        break;
                    }
                }
            }
        }
        if (!cn)
        {
            ip6->SetAttribute("IpForward", BooleanValue(true));
        }
    }
}

void
Run::BuildManet()
{
    unsigned nn = nodes.size();
    const aero_scen_manet& m = s->manet;
    InternetStackHelper stack;
    Ipv4StaticRoutingHelper st;
    Ipv4ListRoutingHelper list;
    OlsrHelper olsr;
    AodvHelper aodv;
    list.Add(st, 0);
    if (m.routing == AERO_ROUTING_AODV)
    {
        list.Add(aodv, 10);
    }
    else
    {
        list.Add(olsr, 10);
    }
    stack.SetRoutingHelper(list);
    NodeContainer all;
    for (auto& n : nodes)
    {
        all.Add(n.node);
    }
    stack.Install(all);

    WifiHelper wifi;
    std::string std_ = m.wifi_standard ? m.wifi_standard : "80211g";
    std::string mode = "ErpOfdmRate54Mbps";
    if (std_ == "80211a")
    {
        wifi.SetStandard(WIFI_STANDARD_80211a);
        mode = "OfdmRate" + std::to_string(m.wifi_rate / 1000000) + "Mbps";
    }
    else if (std_ == "80211b")
    {
        wifi.SetStandard(WIFI_STANDARD_80211b);
        mode = "DsssRate" + std::to_string(m.wifi_rate / 1000000) + "Mbps";
    }
    else
    {
        wifi.SetStandard(WIFI_STANDARD_80211g);
        mode = "ErpOfdmRate" + std::to_string(m.wifi_rate / 1000000) + "Mbps";
    }
    wifi.SetRemoteStationManager("ns3::ConstantRateWifiManager",
                                 "DataMode", StringValue(mode),
                                 "ControlMode", StringValue(mode));
    YansWifiChannelHelper ch;
    if (m.delay_per_m > 0)
    {
        ch.SetPropagationDelay("ns3::ConstantSpeedPropagationDelayModel",
                               "Speed", DoubleValue(1.0 / m.delay_per_m));
    }
    else
    {
        ch.SetPropagationDelay("ns3::ConstantSpeedPropagationDelayModel");
    }
    ch.AddPropagationLoss("ns3::AeroRangeLossModel",
                          "MaxRange", DoubleValue(m.range),
                          "LossAtRange", DoubleValue(m.loss_at_range));
    YansWifiPhyHelper phy;
    phy.SetChannel(ch.Create());
    WifiMacHelper mac;
    mac.SetType("ns3::AdhocWifiMac");
    NetDeviceContainer devs = wifi.Install(phy, mac, all);

    for (unsigned i = 0; i < nn; i++)
    {
        IfInfo f;
        f.net = 0;
        aero_scen_manet_addr(s, i, &f.addr); /* the loader's rule: 10.0.0.0/16, index + 1 */
        f.dev = devs.Get(i);
        Ptr<Ipv4> ip4 = nodes[i].node->GetObject<Ipv4>();
        f.v4 = ip4->AddInterface(f.dev);
        ip4->AddAddress(f.v4, Ipv4InterfaceAddress(ToV4(f.addr), Ipv4Mask("255.255.0.0")));
        ip4->SetMetric(f.v4, 1);
        ip4->SetUp(f.v4);
        nodes[i].ifs.push_back(f);
    }

    /* mobility: the trace for its nodes, fixed positions for the rest */
    if (s->mobility.kind == AERO_MOBILITY_FILE && s->mobility.file_path)
    {
        Ns2MobilityHelper ns2(s->mobility.file_path);
        ns2.Install();
    }
    for (unsigned i = 0; i < nn; i++)
    {
        Ptr<Node> node = nodes[i].node;
        if (node->GetObject<MobilityModel>())
        {
            continue;
        }
        const aero_scen_node* sn = (const aero_scen_node*)s->nodes->pdata[i];
        if (s->mobility.kind == AERO_MOBILITY_RANDOM_WAYPOINT && !sn->has_position)
        {
            MobilityHelper mh;
            Ptr<RandomRectanglePositionAllocator> pa = CreateObject<RandomRectanglePositionAllocator>();
            Ptr<UniformRandomVariable> ux = CreateObject<UniformRandomVariable>();
            ux->SetAttribute("Max", DoubleValue(m.area_x));
            Ptr<UniformRandomVariable> uy = CreateObject<UniformRandomVariable>();
            uy->SetAttribute("Max", DoubleValue(m.area_y));
            pa->SetX(ux);
            pa->SetY(uy);
            std::string speed = "ns3::UniformRandomVariable[Min=" +
                                std::to_string(s->mobility.speed_min) +
                                "|Max=" + std::to_string(s->mobility.speed_max) + "]";
            std::string pause = "ns3::ConstantRandomVariable[Constant=" +
                                std::to_string(s->mobility.pause / 1e9) + "]";
            mh.SetMobilityModel("ns3::RandomWaypointMobilityModel",
                                "Speed", StringValue(speed),
                                "Pause", StringValue(pause),
                                "PositionAllocator", PointerValue(pa));
            mh.SetPositionAllocator(pa);
            mh.Install(node);
            continue;
        }
        Ptr<ConstantPositionMobilityModel> cp = CreateObject<ConstantPositionMobilityModel>();
        if (sn->has_position)
        {
            cp->SetPosition(Vector(sn->position[0], sn->position[1], sn->position[2]));
        }
        node->AggregateObject(cp);
    }
}

void
Run::InstallAero()
{
    names = CreateObject<AeroNameTable>();
    bus = CreateObject<AeroRouteBus>();
    helper.SetNameTable(names);
    helper.SetRouteBus(bus);
    const aero_scen_link& L = s->link;
    helper.SetAttribute("ReachableTime", TimeValue(NanoSeconds(L.reachable_time)));
    helper.SetAttribute("RetransTimer", TimeValue(NanoSeconds(L.retrans_timer)));
    helper.SetAttribute("ForwardTime", TimeValue(NanoSeconds(L.forward_time)));
    helper.SetAttribute("AcceptTime", TimeValue(NanoSeconds(L.accept_time)));
    helper.SetAttribute("KeepaliveTime", TimeValue(NanoSeconds(L.keepalive_time)));

    std::vector<aero_peer> servers;
    for (unsigned i = 0; i < nodes.size(); i++)
    {
        aero_peer p;
        p.loc = Locator(i);
        p.id = i + 1;
        if (nodes[i].role == AERO_SCEN_ROLE_SERVER)
        {
            servers.push_back(p);
        }
    }
    names->Add(kPrlName, servers);

    for (unsigned i = 0; i < nodes.size(); i++)
    {
        NodeInfo& n = nodes[i];
        aero_role role;
        switch (n.role)
        {
        case AERO_SCEN_ROLE_CLIENT:
            role = AERO_ROLE_CLIENT;
            break;
        case AERO_SCEN_ROLE_SERVER:
            role = AERO_ROLE_SERVER;
            break;
        case AERO_SCEN_ROLE_RELAY:
            role = AERO_ROLE_RELAY;
            break;
        default:
            continue;
        }
        /* the one scenario-to-core mapping of every host (scenario.h);
         * ns-3 specifics on top: the locator of an up interface facing a
         * Server (mobility), the PRL from the simulated name service, one
         * downstream link (with its LAN host) for router/hybrid Clients */
        aero_config c;
        GError* cerr = nullptr;
        if (aero_scenario_node_config(s, i, &c, &cerr) < 0)
        {
            std::fprintf(stderr, "aero-sim: %s\n", cerr->message);
            g_error_free(cerr);
            continue;
        }
        c.self = Locator(i);
        if (role == AERO_ROLE_CLIENT)
        {
            if (c.model != AERO_MODEL_HOST && c.n_downstream == 0)
            {
                c.n_downstream = 1;
            }
            c.n_prl = 0;
            std::snprintf(c.prl_name, sizeof c.prl_name, "%s", kPrlName);
        }
        n.app = helper.Install(n.node, c, n.name);
        n.app->SetStartTime(Time(0));
        n.app->SetStopTime(NanoSeconds(s->run.duration));
        unsigned idx = i;
        n.app->TraceConnectWithoutContext(
            "CoreEvent",
            MakeCallback(
                +[](unsigned j, Ptr<AeroApplication>, const aero_event& ev) {
                    Run& r = *g_run;
                    r.LogEvent(r.nodes[j].name, ev);
                    if (ev.type == AERO_EV_PREFIX_DELEGATED && r.nodes[j].prefixAt < 0)
                    {
                        r.nodes[j].prefixAt = Simulator::Now().GetNanoSeconds();
                        r.nodes[j].prefix = In6Str(ev.prefix) + "/" + std::to_string(ev.plen);
                    }
                    if (ev.type == AERO_EV_HANDOVER)
                    {
                        r.nodes[j].handovers++;
                    }
                    if (ev.type == AERO_EV_RO_UP)
                    {
                        r.roUp++;
                    }
                    if (ev.type == AERO_EV_RO_DOWN)
                    {
                        r.roDown++;
                    }
                })
                .Bind(idx));
        if (role == AERO_ROLE_RELAY)
        {
            Ptr<Ipv6> ip6 = n.node->GetObject<Ipv6>();
            ip6->SetAttribute("IpForward", BooleanValue(true));
            int32_t ax = ip6->GetInterfaceForDevice(n.app->GetAeroDevice());
            for (size_t a = 0; a < c.n_aggregates; a++)
            {
                Ipv6StaticRoutingHelper()
                    .GetStaticRouting(ip6)
                    ->AddNetworkRouteTo(ToV6(c.aggregates[a].prefix),
                                        Ipv6Prefix(c.aggregates[a].plen),
                                        ax);
            }
            /* packets from the outside for the aggregates go straight to
             * the core (see AeroApplication::InjectTunnel) */
            for (auto& f : n.ifs)
            {
                if (f.v6 < 0 || s->family != AERO_FAMILY_IPV4)
                {
                    continue;
                }
                Ptr<AeroApplication> app = n.app;
                n.node->RegisterProtocolHandler(
                    MakeBoundCallback(
                        +[](Ptr<AeroApplication> a, Ptr<NetDevice>,
                            Ptr<const Packet> p, uint16_t, const Address&, const Address&,
                            NetDevice::PacketType) {
                            uint8_t h[40];
                            /* non-promiscuous handlers get no packet type: the destination decides */
                            if (p->GetSize() < 40 ||
                                p->CopyData(h, 40) != 40)
                            {
                                return;
                            }
                            const aero_config& cf = a->GetConfig();
                            for (size_t gi = 0; gi < cf.n_aggregates; gi++)
                            {
                                const aero_prefix& g = cf.aggregates[gi];
                                unsigned bits = g.plen, k = 0;
                                for (; k < bits / 8; k++)
                                {
                                    if (h[24 + k] != g.prefix.b[k])
                                    {
                                        break;
                                    }
                                }
                                if (k < bits / 8)
                                {
                                    continue;
                                }
                                uint8_t m = bits % 8 ? (uint8_t)(0xff << (8 - bits % 8)) : 0;
                                if (m && (h[24 + k] & m) != (g.prefix.b[k] & m))
                                {
                                    continue;
                                }
                                a->InjectTunnel(0, p);
                                return;
                            }
                        },
                        app),
                    0x86DD,
                    f.dev,
                    false);
            }
        }
    }
}

void
Run::InstallLanHosts()
{
    for (unsigned i = 0; i < nodes.size(); i++)
    {
        NodeInfo& n = nodes[i];
        if (!n.app || n.role != AERO_SCEN_ROLE_CLIENT || n.app->GetConfig().model == AERO_MODEL_HOST)
        {
            continue;
        }
        LanHost h;
        h.client = i;
        h.name = n.name + "-lan1";
        h.node = CreateObject<Node>();
        h.id = (uint16_t)(0x2000 + lans.size());
        Names::Add(h.name, h.node);
        InternetStackHelper st;
        st.SetIpv4StackInstall(false);
        st.Install(h.node);
        Ptr<AeroSegmentChannel> ch = CreateObject<AeroSegmentChannel>();
        Ptr<SimpleNetDevice> rd = CreateObject<SimpleNetDevice>();
        Ptr<SimpleNetDevice> hd = CreateObject<SimpleNetDevice>();
        for (auto& d : {rd, hd})
        {
            d->SetAddress(Mac48Address::Allocate());
            Ptr<DropTailQueue<Packet>> q = CreateObject<DropTailQueue<Packet>>();
            d->SetQueue(q);
            d->SetChannel(ch);
        }
        n.node->AddDevice(rd);
        h.node->AddDevice(hd);
        Ptr<Ipv6> r6 = n.node->GetObject<Ipv6>();
        int32_t ri = r6->AddInterface(rd);
        r6->SetForwarding(ri, true);
        r6->SetUp(ri);
        n.app->SetDownstreamLan(1, rd);
        Ptr<Ipv6> h6 = h.node->GetObject<Ipv6>();
        int32_t hi = h6->AddInterface(hd);
        h6->SetForwarding(hi, false);
        h6->SetUp(hi);
        h.dev = hd;
        h.rdev = rd;
        lans.push_back(h);
    }
    if (lans.empty())
    {
        return;
    }
    for (unsigned i = 0; i < nodes.size(); i++)
    {
        if (nodes[i].role == AERO_SCEN_ROLE_CORRESPONDENT)
        {
            lanPinger = (int)i;
            break;
        }
    }
    Simulator::Schedule(Seconds(1), &Run::LanPing, this);
}

void
Run::LanPing()
{
    int64_t now = Simulator::Now().GetNanoSeconds();
    for (auto& h : lans)
    {
        Ptr<Ipv6> h6 = h.node->GetObject<Ipv6>();
        Ipv6Address a = Ipv6Address::GetAny(), ll = Ipv6Address::GetAny();
        for (uint32_t k = 0; k < h6->GetNAddresses(1); k++)
        {
            if (h6->GetAddress(1, k).GetScope() == Ipv6InterfaceAddress::GLOBAL)
            {
                a = h6->GetAddress(1, k).GetAddress();
            }
            else if (h6->GetAddress(1, k).GetScope() == Ipv6InterfaceAddress::LINKLOCAL)
            {
                ll = h6->GetAddress(1, k).GetAddress();
            }
        }
        if (!a.IsAny())
        {
            /* ns-3 3.37 answers an NS for any link-local target with the
             * interface's first link-local, so the host could never resolve
             * the RA's source (the AERO address, a second link-local on the
             * router's interface): the host gets static neighbour entries
             * for the router's link-locals instead */
            Ptr<Ipv6> r6 = nodes[h.client].node->GetObject<Ipv6>();
            int32_t ri = r6->GetInterfaceForDevice(h.rdev);
            Ptr<NdiscCache> cache =
                h.node->GetObject<Ipv6L3Protocol>()->GetInterface(1)->GetNdiscCache();
            for (uint32_t k = 0; ri >= 0 && cache && k < r6->GetNAddresses(ri); k++)
            {
                Ipv6InterfaceAddress x = r6->GetAddress(ri, k);
                if (x.GetScope() == Ipv6InterfaceAddress::LINKLOCAL && !cache->Lookup(x.GetAddress()))
                {
                    NdiscCache::Entry* e = cache->Add(x.GetAddress());
                    e->SetMacAddress(h.rdev->GetAddress());
                    e->MarkPermanent();
                }
            }
        }
        if (a.IsAny() && !ll.IsAny())
        {
            /* ns-3 3.37 sends its RSs all at the start (no retransmission
             * seen) while the router Client has no prefix yet: the host
             * solicits again every second until it has an address */
            Ptr<Icmpv6L4Protocol> icmp = h.node->GetObject<Icmpv6L4Protocol>();
            NdiscCache::Ipv6PayloadHeaderPair rs =
                icmp->ForgeRS(ll, Ipv6Address::GetAllRoutersMulticast(), h.dev->GetAddress());
            rs.first->AddHeader(rs.second);
            h.dev->Send(rs.first, h.dev->GetBroadcast(), 0x86DD);
        }
        if (a != h.addr)
        {
            h.addr = a;
            if (!a.IsAny() && h.addrAt < 0)
            {
                h.addrAt = now;
            }
        }
        if (lanPinger < 0 || a.IsAny())
        {
            continue;
        }
        if (!lanPing)
        {
            lanPing = Socket::CreateSocket(nodes[lanPinger].node, Ipv6RawSocketFactory::GetTypeId());
            lanPing->SetAttribute("Protocol", UintegerValue(Icmpv6L4Protocol::GetStaticProtocolNumber()));
            lanPing->Bind6();
            lanPing->SetRecvCallback(MakeCallback(&Run::LanEcho, this));
        }
        uint8_t b[16] = {0};
        for (int i = 0; i < 8; i++)
        {
            b[8 + i] = (uint8_t)((uint64_t)now >> (56 - 8 * i));
        }
        Ptr<Packet> p = Create<Packet>(b, sizeof b);
        Ipv6Address src = CurrentAddr(lanPinger);
        Icmpv6Echo req(true);
        req.SetId(h.id);
        req.SetSeq((uint16_t)h.tx);
        req.CalculatePseudoHeaderChecksum(src, a, p->GetSize() + req.GetSerializedSize(),
                                          Icmpv6L4Protocol::GetStaticProtocolNumber());
        p->AddHeader(req);
        lanPing->SendTo(p, 0, Inet6SocketAddress(a, 0));
        h.tx++;
    }
    if (Simulator::Now() + Seconds(1) < NanoSeconds(s->run.duration))
    {
        Simulator::Schedule(Seconds(1), &Run::LanPing, this);
    }
}

void
Run::LanEcho(Ptr<Socket> sk)
{
    Ptr<Packet> p;
    Address from;
    while ((p = sk->RecvFrom(from)))
    {
        Ipv6Header ip;
        p->RemoveHeader(ip);
        Icmpv6Header peek;
        p->PeekHeader(peek);
        if (peek.GetType() != Icmpv6Header::ICMPV6_ECHO_REPLY)
        {
            continue;
        }
        Icmpv6Echo rep(false);
        p->RemoveHeader(rep);
        uint8_t b[16];
        if (p->GetSize() < 16 || p->CopyData(b, 16) != 16)
        {
            continue;
        }
        uint64_t t = 0;
        for (int i = 0; i < 8; i++)
        {
            t = t << 8 | b[8 + i];
        }
        for (auto& h : lans)
        {
            if (h.id == rep.GetId())
            {
                h.rx++;
                h.rttSum += (Simulator::Now().GetNanoSeconds() - (int64_t)t) / 1e9;
            }
        }
    }
}

void
Run::InstallTraffic()
{
    flows.resize(s->traffic->len);
    for (unsigned k = 0; k < s->traffic->len; k++)
    {
        const aero_scen_traffic& t = g_array_index(s->traffic, struct aero_scen_traffic, k);
        Time start = NanoSeconds(t.start), stop = NanoSeconds(t.stop);
        if (t.type == AERO_TRAFFIC_TCP_BULK)
        {
            PacketSinkHelper sink("ns3::TcpSocketFactory",
                                  plain ? Address(InetSocketAddress(Ipv4Address::GetAny(), kFlowPortBase + k))
                                        : Address(Inet6SocketAddress(Ipv6Address::GetAny(), kFlowPortBase + k)));
            ApplicationContainer a = sink.Install(nodes[t.to].node);
            a.Get(0)->TraceConnectWithoutContext("Rx", MakeBoundCallback(&TcpRx, k, t.to));
            a.Start(Time(0));
            Simulator::Schedule(start, &StartTcp, k, t.from, t.to, stop);
            continue;
        }
        Ptr<AeroFlowApp> app = CreateObject<AeroFlowApp>();
        app->flow = k;
        app->from = t.from;
        app->to = t.to;
        app->size = t.size;
        if (t.type == AERO_TRAFFIC_PING)
        {
            app->ping = true;
            app->interval = NanoSeconds(t.interval);
            app->echoId = (uint16_t)(0x1000 + k);
        }
        else
        {
            double secs = t.rate ? (double)t.size * 8.0 / (double)t.rate : 1.0;
            app->interval = NanoSeconds((int64_t)(secs * 1e9));
            Ptr<Socket> sk = Socket::CreateSocket(nodes[t.to].node, UdpSocketFactory::GetTypeId());
            if (plain)
            {
                sk->Bind(InetSocketAddress(Ipv4Address::GetAny(), kFlowPortBase + k));
            }
            else
            {
                sk->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), kFlowPortBase + k));
            }
            sk->SetRecvCallback(MakeBoundCallback(&UdpSinkRead, k, t.to));
        }
        nodes[t.from].node->AddApplication(app);
        app->SetStartTime(start);
        app->SetStopTime(stop);
    }
}

namespace
{

void
DoEvent(unsigned e)
{
    Run& r = *g_run;
    const aero_scen_event& ev = g_array_index(r.s->events, struct aero_scen_event, e);
    NodeInfo& n = r.nodes[ev.node];
    std::string extra;
    switch (ev.type)
    {
    case AERO_EVENT_LINK_DOWN:
    case AERO_EVENT_LINK_UP: {
        bool up = ev.type == AERO_EVENT_LINK_UP;
        for (size_t k = 0; k < n.ifs.size(); k++)
        {
            if (ev.network < 0 || n.ifs[k].net == (unsigned)ev.network)
            {
                r.SetIfUp(ev.node, k, up);
            }
        }
        if (ev.network >= 0)
        {
            extra = ", \"network\": " +
                    JsonStr(((aero_scen_network*)r.s->networks->pdata[ev.network])->name);
        }
        break;
    }
    case AERO_EVENT_NODE_DOWN:
    case AERO_EVENT_NODE_UP: {
        bool up = ev.type == AERO_EVENT_NODE_UP;
        for (size_t k = 0; k < n.ifs.size(); k++)
        {
            r.SetIfUp(ev.node, k, up);
        }
        if (n.app)
        {
            up ? n.app->Restart() : n.app->Crash(true);
        }
        break;
    }
    case AERO_EVENT_MOVE: {
        int from = r.IfOn(ev.node, ev.from), to = r.IfOn(ev.node, ev.to);
        if (from >= 0)
        {
            r.SetIfUp(ev.node, from, false);
        }
        if (to >= 0)
        {
            r.SetIfUp(ev.node, to, true);
        }
        r.InstallUnderlayRoutes(ev.node);
        if (n.app)
        {
            aero_loc l = r.Locator(ev.node);
            n.app->SetLocator(l);
            extra = ", \"loc\": \"" + LocStr(l) + "\"";
        }
        extra = ", \"from\": " +
                JsonStr(((aero_scen_network*)r.s->networks->pdata[ev.from])->name) +
                ", \"to\": " +
                JsonStr(((aero_scen_network*)r.s->networks->pdata[ev.to])->name) + extra;
        break;
    }
    case AERO_EVENT_SERVER_CRASH:
        if (n.app)
        {
            n.app->Crash(ev.keep_state);
        }
        extra = std::string(", \"keep_state\": ") + (ev.keep_state ? "true" : "false");
        if (ev.has_restart)
        {
            Simulator::Schedule(NanoSeconds(ev.restart) - Simulator::Now(),
                                +[](unsigned node) {
                                    Run& rr = *g_run;
                                    rr.LogScenario(node, "server_restart", "");
                                    rr.nodes[node].app->Restart();
                                },
                                ev.node);
        }
        break;
    case AERO_EVENT_NAT_REBIND:
        if (n.app)
        {
            aero_loc l = n.app->GetLocator();
            l.port = (uint16_t)(l.port == 65535 ? kClientPort : l.port + 1);
            n.app->SetLocator(l);
            extra = ", \"loc\": \"" + LocStr(l) + "\"";
        }
        break;
    }
    r.LogScenario(ev.node, aero_scen_event_name(ev.type), extra);
}

} // namespace

void
Run::ScheduleEvents()
{
    for (unsigned e = 0; e < s->events->len; e++)
    {
        const aero_scen_event& ev = g_array_index(s->events, struct aero_scen_event, e);
        Simulator::Schedule(NanoSeconds(ev.at), &DoEvent, e);
    }
}

void
Run::EnableCaptures()
{
    std::string dir = outDir + "/pcap";
    g_mkdir_with_parents(dir.c_str(), 0755);
    for (unsigned i = 0; i < nodes.size(); i++)
    {
        bool want = s->capture.all_nodes;
        if (!want && s->capture.nodes)
        {
            for (unsigned k = 0; k < s->capture.nodes->len; k++)
            {
                want |= g_array_index(s->capture.nodes, unsigned, k) == i;
            }
        }
        if (!want)
        {
            continue;
        }
        if (nodes[i].app)
        {
            AeroHelper::EnablePcap(dir, nodes[i].app, s->capture.underlay, s->capture.aero);
        }
        else if (s->capture.underlay)
        {
            AeroHelper::EnablePcapUnderlay(dir, nodes[i].node, nodes[i].name);
        }
    }
}

void
Run::Progress()
{
    auto now = std::chrono::steady_clock::now();
    double since = std::chrono::duration<double>(now - wallLast).count();
    if (!quiet && since >= 2.0)
    {
        double wall = std::chrono::duration<double>(now - wallStart).count();
        uint64_t ev = Simulator::GetEventCount();
        std::fprintf(stderr,
                     "aero-sim: t=%.1f/%.0f s simulated, %.1f s wall, %.0f events/s\n",
                     Simulator::Now().GetSeconds(),
                     s->run.duration / 1e9,
                     wall,
                     (ev - evLast) / since);
        wallLast = now;
        evLast = ev;
    }
    Simulator::Schedule(MilliSeconds(100), &Run::Progress, this);
}

void
Run::SamplePositions()
{
    for (auto& n : nodes)
    {
        Ptr<MobilityModel> m = n.node->GetObject<MobilityModel>();
        if (!m)
        {
            continue;
        }
        Vector p = m->GetPosition();
        std::fprintf(posf,
                     "%s,%s,%.3f,%.3f,%.3f\n",
                     TimeStr(Simulator::Now().GetNanoSeconds()).c_str(),
                     n.name.c_str(),
                     p.x,
                     p.y,
                     p.z);
    }
    Simulator::Schedule(Seconds(1), &Run::SamplePositions, this);
}

void
Run::Finish(const std::string& startedUtc, double wall)
{
    (void)startedUtc;
    /* counters.json */
    {
        GString* js = g_string_new("{");
        bool first = true;
        for (auto& n : nodes)
        {
            if (!n.app || !n.app->GetCore())
            {
                continue;
            }
            g_string_append_printf(js, "%s\n  %s: {", first ? "" : ",", JsonStr(n.name).c_str());
            first = false;
            uint64_t v;
            const char* name;
            for (size_t i = 0; (name = aero_node_counter_at(n.app->GetCore(), i, &v)); i++)
            {
                g_string_append_printf(js, "%s%s: %" PRIu64, i ? ", " : "", JsonStr(name).c_str(), v);
            }
            g_string_append(js, "}");
        }
        g_string_append(js, "\n}\n");
        g_file_set_contents((outDir + "/counters.json").c_str(), js->str, js->len, nullptr);
        g_string_free(js, TRUE);
    }
    /* summary */
    GString* js = g_string_new("{\n  \"scenario\": ");
    g_string_append(js, JsonStr(s->run.name).c_str());
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t events = Simulator::GetEventCount();
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
    g_string_append_printf(js, ",\n  \"seed\": %u,\n  \"duration_s\": %s,\n  \"wall_s\": %.3f,\n"
                               "  \"cpu_s\": %.3f,\n  \"plain\": %s,\n  \"events\": %" PRIu64
                               ",\n  \"peak_rss_kb\": %ld,\n",
                           seed, TimeStr(s->run.duration).c_str(), wall, cpu,
                           plain ? "true" : "false", events, ru.ru_maxrss);
    std::printf("== aero-sim summary: %s%s (seed %u, %.0f s simulated in %.1f s wall, %.1f s CPU, %" PRIu64
                " events, %.0f events/s, peak RSS %.0f MB)\n",
                s->run.name, plain ? " --plain (no AERO)" : "", seed, s->run.duration / 1e9, wall,
                cpu, events, wall > 0 ? events / wall : 0.0, ru.ru_maxrss / 1024.0);
    /* prefixes */
    unsigned clients = 0, got = 0;
    double latSum = 0, latMax = 0;
    g_string_append(js, "  \"prefixes\": [");
    bool first = true;
    std::printf("prefixes delegated:\n");
    for (auto& n : nodes)
    {
        if (n.role != AERO_SCEN_ROLE_CLIENT)
        {
            continue;
        }
        clients++;
        g_string_append_printf(js, "%s\n    {\"node\": %s, ", first ? "" : ",", JsonStr(n.name).c_str());
        first = false;
        if (n.prefixAt >= 0)
        {
            got++;
            double l = n.prefixAt / 1e9;
            latSum += l;
            latMax = std::max(latMax, l);
            g_string_append_printf(js, "\"prefix\": \"%s\", \"latency_s\": %s}", n.prefix.c_str(),
                                   TimeStr(n.prefixAt).c_str());
            std::printf("  %-12s %-24s after %.3f s\n", n.name.c_str(), n.prefix.c_str(), l);
        }
        else
        {
            g_string_append(js, "\"prefix\": null, \"latency_s\": null}");
            std::printf("  %-12s none\n", n.name.c_str());
        }
    }
    g_string_append_printf(js, "\n  ],\n  \"clients\": %u,\n  \"clients_with_prefix\": %u,\n"
                               "  \"prefix_latency_mean_s\": %.6f,\n  \"prefix_latency_max_s\": %.6f,\n",
                           clients, got, got ? latSum / got : 0.0, latMax);
    std::printf("  %u of %u clients, mean latency %.3f s, max %.3f s\n", got, clients,
                got ? latSum / got : 0.0, latMax);
    /* flows */
    g_string_append(js, "  \"flows\": [");
    std::printf("flows:\n");
    for (unsigned k = 0; k < flows.size(); k++)
    {
        const aero_scen_traffic& t = g_array_index(s->traffic, struct aero_scen_traffic, k);
        FlowStats& f = flows[k];
        bool tcp = t.type == AERO_TRAFFIC_TCP_BULK;
        double pdr = tcp ? (f.txBytes ? (double)f.rxBytes / f.txBytes : 0) : (f.tx ? (double)f.rx / f.tx : 0);
        double mean = f.rx && f.delaySum > 0 ? f.delaySum / f.rx : 0;
        g_string_append_printf(js,
                               "%s\n    {\"flow\": %u, \"type\": \"%s\", \"from\": %s, \"to\": %s, "
                               "\"tx\": %" PRIu64 ", \"rx\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
                               ", \"rx_bytes\": %" PRIu64 ", \"pdr\": %.6f",
                               k ? "," : "", k, aero_scen_traffic_name(t.type),
                               JsonStr(nodes[t.from].name).c_str(), JsonStr(nodes[t.to].name).c_str(),
                               f.tx, f.rx, f.txBytes, f.rxBytes, pdr);
        if (t.type == AERO_TRAFFIC_UDP_CBR)
        {
            g_string_append_printf(js, ", \"delay_mean_s\": %.6f, \"delay_min_s\": %.6f, \"delay_max_s\": %.6f",
                                   mean, f.rx ? f.delayMin : 0.0, f.delayMax);
            std::printf("  %u udp_cbr %s -> %s: sent %" PRIu64 ", received %" PRIu64
                        ", PDR %.3f, one-way delay mean %.1f ms (min %.1f, max %.1f)\n",
                        k, nodes[t.from].name.c_str(), nodes[t.to].name.c_str(), f.tx, f.rx, pdr,
                        mean * 1e3, f.rx ? f.delayMin * 1e3 : 0.0, f.delayMax * 1e3);
        }
        else if (t.type == AERO_TRAFFIC_PING)
        {
            g_string_append_printf(js, ", \"rtt_mean_s\": %.6f, \"rtt_min_s\": %.6f, \"rtt_max_s\": %.6f",
                                   mean, f.rx ? f.delayMin : 0.0, f.delayMax);
            std::printf("  %u ping %s -> %s: sent %" PRIu64 ", answered %" PRIu64
                        ", ratio %.3f, RTT mean %.1f ms (min %.1f, max %.1f)\n",
                        k, nodes[t.from].name.c_str(), nodes[t.to].name.c_str(), f.tx, f.rx, pdr,
                        mean * 1e3, f.rx ? f.delayMin * 1e3 : 0.0, f.delayMax * 1e3);
        }
        else
        {
            double secs = (t.stop - t.start) / 1e9;
            double gp = secs > 0 ? f.rxBytes * 8.0 / secs : 0;
            g_string_append_printf(js, ", \"goodput_bps\": %.0f", gp);
            std::printf("  %u tcp_bulk %s -> %s: %" PRIu64 " bytes sent, %" PRIu64
                        " received, goodput %.2f Mbit/s\n",
                        k, nodes[t.from].name.c_str(), nodes[t.to].name.c_str(), f.txBytes,
                        f.rxBytes, gp / 1e6);
        }
        g_string_append(js, "}");
    }
    g_string_append(js, "\n  ],\n");
    /* handovers: interruption of the flows of the node that moved */
    g_string_append(js, "  \"handovers\": [");
    std::printf("handovers:\n");
    first = true;
    for (unsigned e = 0; e < s->events->len; e++)
    {
        const aero_scen_event& ev = g_array_index(s->events, struct aero_scen_event, e);
        if (ev.type != AERO_EVENT_MOVE && ev.type != AERO_EVENT_NAT_REBIND &&
            ev.type != AERO_EVENT_SERVER_CRASH)
        {
            continue;
        }
        double worst = -1;
        for (unsigned k = 0; k < flows.size(); k++)
        {
            const aero_scen_traffic& t = g_array_index(s->traffic, struct aero_scen_traffic, k);
            if (ev.type != AERO_EVENT_SERVER_CRASH && t.from != ev.node && t.to != ev.node)
            {
                continue;
            }
            if (t.type == AERO_TRAFFIC_TCP_BULK || ev.at < t.start || ev.at >= t.stop)
            {
                continue;
            }
            int64_t before = -1, after = -1;
            for (int64_t x : flows[k].rxTimes)
            {
                if (x <= ev.at)
                {
                    before = x;
                }
                else if (after < 0)
                {
                    after = x;
                }
            }
            if (before >= 0)
            {
                double gap = ((after >= 0 ? after : s->run.duration) - before) / 1e9;
                worst = std::max(worst, gap);
            }
        }
        g_string_append_printf(js, "%s\n    {\"t\": %s, \"node\": %s, \"event\": \"%s\", "
                                   "\"interruption_s\": ",
                               first ? "" : ",", TimeStr(ev.at).c_str(),
                               JsonStr(nodes[ev.node].name).c_str(), aero_scen_event_name(ev.type));
        first = false;
        if (worst >= 0)
        {
            g_string_append_printf(js, "%.6f}", worst);
            std::printf("  %.1f s %s %s: longest gap in its flows %.3f s\n", ev.at / 1e9,
                        aero_scen_event_name(ev.type), nodes[ev.node].name.c_str(), worst);
        }
        else
        {
            g_string_append(js, "null}");
            std::printf("  %.1f s %s %s: no flow to measure\n", ev.at / 1e9,
                        aero_scen_event_name(ev.type), nodes[ev.node].name.c_str());
        }
    }
    unsigned hevents = 0;
    for (auto& n : nodes)
    {
        hevents += n.handovers;
    }
    g_string_append_printf(js, "\n  ],\n  \"handover_events\": %u,\n", hevents);
    /* hosts behind downstream links */
    g_string_append(js, "  \"lan_hosts\": [");
    if (!lans.empty())
    {
        std::printf("hosts behind downstream links (pinged by %s every second):\n",
                    lanPinger >= 0 ? nodes[lanPinger].name.c_str() : "nobody");
    }
    for (size_t k = 0; k < lans.size(); k++)
    {
        const LanHost& h = lans[k];
        std::ostringstream as;
        as << h.addr;
        g_string_append_printf(js, "%s\n    {\"node\": %s, \"behind\": %s, \"address\": %s, "
                                   "\"address_at_s\": %s, \"echo_tx\": %" PRIu64 ", \"echo_rx\": %" PRIu64
                                   ", \"rtt_mean_s\": %.6f}",
                               k ? "," : "", JsonStr(h.name).c_str(),
                               JsonStr(nodes[h.client].name).c_str(),
                               h.addr.IsAny() ? "null" : JsonStr(as.str()).c_str(),
                               h.addrAt >= 0 ? TimeStr(h.addrAt).c_str() : "null", h.tx, h.rx,
                               h.rx ? h.rttSum / h.rx : 0.0);
        std::printf("  %-14s behind %s: %s%s, echo %" PRIu64 "/%" PRIu64 ", RTT %.1f ms\n",
                    h.name.c_str(), nodes[h.client].name.c_str(),
                    h.addr.IsAny() ? "no address" : as.str().c_str(),
                    h.addrAt >= 0 ? (" (SLAAC at " + TimeStr(h.addrAt).substr(0, 6) + " s)").c_str() : "",
                    h.rx, h.tx, h.rx ? h.rttSum / h.rx * 1e3 : 0.0);
    }
    g_string_append(js, lans.empty() ? "],\n" : "\n  ],\n");
    std::printf("  %u handover events from the core\n", hevents);
    g_string_append_printf(js, "  \"route_optimisations\": {\"up\": %u, \"down\": %u},\n", roUp, roDown);
    std::printf("route optimisations: %u up, %u down\n", roUp, roDown);
    /* overhead */
    uint64_t cp = 0, cb = 0, up = 0, ub = 0;
    for (auto& n : nodes)
    {
        if (!n.app || !n.app->GetCore())
        {
            continue;
        }
        cp += aero_node_counter(n.app->GetCore(), "tx_control");
        cb += aero_node_counter(n.app->GetCore(), "tx_control_bytes");
        up += aero_node_counter(n.app->GetCore(), "tx_underlay");
        ub += aero_node_counter(n.app->GetCore(), "tx_underlay_bytes");
    }
    g_string_append_printf(js,
                           "  \"control\": {\"packets\": %" PRIu64 ", \"bytes\": %" PRIu64
                           ", \"underlay_packets\": %" PRIu64 ", \"underlay_bytes\": %" PRIu64
                           ", \"ibgp_messages\": %" PRIu64 "},\n",
                           cp, cb, up, ub, bus->GetMessages());
    std::printf("control overhead: %" PRIu64 " packets, %" PRIu64 " bytes (inner) of %" PRIu64
                " underlay packets, %" PRIu64 " bytes; %" PRIu64 " iBGP messages\n",
                cp, cb, up, ub, bus->GetMessages());
    g_string_append(js, "  \"notes\": [\"wired links: jitter uniform in +-jitter per frame (may reorder, as the emulation)\", "
                        "\"MANET: loss grows linearly with distance to loss_at_range at the range edge\", "
                        "\"iBGP: UPDATEs are UDP packets (port 179) on the underlay, without retransmission; session loss is noticed after HoldTime\"]\n}\n");
    g_file_set_contents((outDir + "/summary.json").c_str(), js->str, js->len, nullptr);
    g_string_free(js, TRUE);
    std::printf("results in %s\n", outDir.c_str());
}

/* ---- main --------------------------------------------------------------- */

static int
Usage(int rc)
{
    std::fprintf(rc ? stderr : stdout,
                 "usage: aero-sim SCENARIO [--out DIR] [--seed N] [--quiet]\n"
                 "  Run SCENARIO in ns-3 and write the results folder (analysis/RESULTS.md).\n"
                 "  --out DIR   results folder (default: results/<scenario>-<UTC time>/)\n"
                 "  --seed N    ns-3 RngSeed (default: the scenario's run.seed)\n"
                 "  --quiet     no progress lines on stderr\n"
                 "  --snaplen N bytes kept of each captured packet (default 256, 0 = all)\n"
                 "  --duration S  simulate S seconds instead of run.duration (events and\n"
                 "              traffic after S are cut off)\n"
                 "  --plain     MANET only: the same ns-3 network without AERO (same Wi-Fi,\n"
                 "              routing, mobility; the traffic sent natively over IPv4), the\n"
                 "              baseline of make bench-sim\n"
                 "  --no-lan-hosts  no host behind router/hybrid Clients' downstream links\n");
    return rc;
}

int
main(int argc, char** argv)
{
    std::string path, out;
    long long seedArg = -1;
    bool quiet = false, plain = false, noLan = false;
    double durationArg = 0;
    for (int i = 1; i < argc; i++)
    {
        std::string a = argv[i];
        if (a == "-h" || a == "--help")
        {
            return Usage(0);
        }
        else if ((a == "--out" || a == "--seed" || a == "--snaplen") && i + 1 < argc)
        {
            std::string v = argv[++i];
            if (a == "--snaplen")
            {
                char* end;
                long sl = std::strtol(v.c_str(), &end, 10);
                if (*end || sl < 0 || sl > 262144)
                {
                    std::fprintf(stderr, "aero-sim: --snaplen wants a number 0..262144\n");
                    return 2;
                }
                AeroHelper::SetSnapLen(sl ? (uint32_t)sl : 65535);
            }
            else if (a == "--out")
            {
                out = v;
            }
            else
            {
                char* end;
                seedArg = std::strtoll(v.c_str(), &end, 10);
                if (*end || seedArg < 1 || seedArg > 0xffffffffLL)
                {
                    std::fprintf(stderr, "aero-sim: --seed wants a number 1..4294967295\n");
                    return 2;
                }
            }
        }
        else if (a.rfind("--out=", 0) == 0)
        {
            out = a.substr(6);
        }
        else if (a.rfind("--seed=", 0) == 0)
        {
            char* end;
            seedArg = std::strtoll(a.c_str() + 7, &end, 10);
            if (*end || seedArg < 1 || seedArg > 0xffffffffLL)
            {
                std::fprintf(stderr, "aero-sim: --seed wants a number 1..4294967295\n");
                return 2;
            }
        }
        else if (a == "--quiet" || a == "-q")
        {
            quiet = true;
        }
        else if (a == "--plain")
        {
            plain = true;
        }
        else if (a == "--no-lan-hosts")
        {
            noLan = true;
        }
        else if (a == "--duration" && i + 1 < argc)
        {
            char* end;
            durationArg = std::strtod(argv[++i], &end);
            if (*end || !(durationArg > 0) || durationArg > 1e6)
            {
                std::fprintf(stderr, "aero-sim: --duration wants seconds > 0\n");
                return 2;
            }
        }
        else if (a[0] == '-' || !path.empty())
        {
            std::fprintf(stderr, "aero-sim: unexpected argument '%s'\n", a.c_str());
            return Usage(2);
        }
        else
        {
            path = a;
        }
    }
    if (path.empty())
    {
        return Usage(2);
    }
    GError* err = nullptr;
    aero_scenario* s = aero_scenario_load(path.c_str(), &err);
    if (!s)
    {
        std::fprintf(stderr, "%s\n", err->message);
        int rc = err->code == AERO_SCEN_ERROR_IO ? 2 : 1;
        g_error_free(err);
        return rc;
    }
    if (plain && !s->manet_mode)
    {
        std::fprintf(stderr, "aero-sim: --plain needs a MANET scenario (traffic natively over the IPv4 MANET)\n");
        aero_scenario_free(s);
        return 1;
    }
    if (durationArg > 0)
    {
        s->run.duration = (int64_t)(durationArg * 1e9);
    }
    Run run;
    g_run = &run;
    run.s = s;
    run.quiet = quiet;
    run.plain = plain;
    run.lanHosts = !noLan;
    run.seed = seedArg > 0 ? (uint32_t)seedArg : s->run.seed;
    std::time_t now = std::time(nullptr);
    char utc[32], stamp[32];
    std::strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", std::gmtime(&now));
    run.outDir = out.empty() ? std::string("results/") + s->run.name + "-" + stamp : out;
    if (g_mkdir_with_parents(run.outDir.c_str(), 0755) != 0)
    {
        std::fprintf(stderr, "aero-sim: cannot create %s\n", run.outDir.c_str());
        return 2;
    }

    /* ns-3 defaults: real checksums, no host DAD, weak host model */
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
    Config::SetDefault("ns3::Icmpv6L4Protocol::DAD", BooleanValue(false));
    /* hosts behind downstream links: RS again at most every 16 s (RFC 7559
     * backoff) until their router Client has a prefix to advertise */
    Config::SetDefault("ns3::Icmpv6L4Protocol::RsMaxRetransmissionTime", TimeValue(Seconds(16)));
    Config::SetDefault("ns3::Ipv6L3Protocol::StrongEndSystemModel", BooleanValue(false));
    RngSeedManager::SetSeed(run.seed);
    RngSeedManager::SetRun(s->run.run ? s->run.run : 1);

    /* run.json, scenario.json */
    gchar* text = nullptr;
    gsize len = 0;
    std::string sha = "";
    if (g_file_get_contents(path.c_str(), &text, &len, nullptr))
    {
        gchar* h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar*)text, len);
        sha = h;
        g_free(h);
        g_free(text);
    }
    {
        GString* sj = g_string_new(nullptr);
        aero_scenario_to_json(s, sj);
        g_string_append_c(sj, '\n');
        g_file_set_contents((run.outDir + "/scenario.json").c_str(), sj->str, sj->len, nullptr);
        g_string_free(sj, TRUE);
        const char* ver = g_getenv("AERO_VERSION");
        char buf[2048];
        std::snprintf(buf, sizeof buf,
                      "{\"scenario\": %s, \"scenario_path\": %s, \"scenario_sha256\": \"%s\", "
                      "\"backend\": \"ns-3\", \"backend_version\": \"ns-3.%d%s\", \"seed\": %u, "
                      "\"run\": %u, \"started_utc\": \"%s\", \"duration_s\": %s, "
                      "\"aero_version\": %s}\n",
                      JsonStr(s->run.name).c_str(), JsonStr(path).c_str(), sha.c_str(),
                      NS3_VERSION_MINOR, NS3_VERSION_PATCH ? ("." + std::to_string(NS3_VERSION_PATCH)).c_str() : "",
                      run.seed, s->run.run ? s->run.run : 1, utc, TimeStr(s->run.duration).c_str(),
                      JsonStr(ver ? ver : "dev").c_str());
        g_file_set_contents((run.outDir + "/run.json").c_str(), buf, -1, nullptr);
    }
    run.evf = std::fopen((run.outDir + "/events.jsonl").c_str(), "w");
    run.flf = std::fopen((run.outDir + "/flows.jsonl").c_str(), "w");
    if (!run.evf || !run.flf)
    {
        std::fprintf(stderr, "aero-sim: cannot write in %s\n", run.outDir.c_str());
        return 2;
    }
    if (!run.Build())
    {
        return 1;
    }
    if (g_getenv("AERO_SIM_DROPS"))
    {
        /* debugging aid: every IP-layer drop and the routing tables on stderr */
        Ptr<OutputStreamWrapper> w = Create<OutputStreamWrapper>(&std::cerr);
        Ipv6RoutingHelper::PrintRoutingTableAllAt(Seconds(5), w);
        Ipv4RoutingHelper::PrintRoutingTableAllAt(Seconds(5), w);
        for (auto& n : run.nodes)
        {
            std::string nm = n.name;
            if (Ptr<Ipv6L3Protocol> v6 = n.node->GetObject<Ipv6L3Protocol>())
            {
                v6->TraceConnectWithoutContext(
                    "Drop",
                    MakeBoundCallback(+[](std::string who, const Ipv6Header& h, Ptr<const Packet>,
                                          Ipv6L3Protocol::DropReason r, Ptr<Ipv6>, uint32_t i) {
                        std::cerr << Simulator::Now().GetSeconds() << " " << who << " ipv6 drop "
                                  << h.GetSource() << " -> " << h.GetDestination() << " reason "
                                  << r << " if " << i << "\n";
                    }, nm));
            }
            if (Ptr<Ipv4L3Protocol> v4 = n.node->GetObject<Ipv4L3Protocol>())
            {
                v4->TraceConnectWithoutContext(
                    "Drop",
                    MakeBoundCallback(+[](std::string who, const Ipv4Header& h, Ptr<const Packet>,
                                          Ipv4L3Protocol::DropReason r, Ptr<Ipv4>, uint32_t i) {
                        std::cerr << Simulator::Now().GetSeconds() << " " << who << " ipv4 drop "
                                  << h.GetSource() << " -> " << h.GetDestination() << " reason "
                                  << r << " if " << i << "\n";
                    }, nm));
            }
        }
    }
    if (s->manet_mode)
    {
        run.posf = std::fopen((run.outDir + "/positions.csv").c_str(), "w");
        std::fputs("t,node,x,y,z\n", run.posf);
        Simulator::Schedule(Time(0), &Run::SamplePositions, &run);
    }
    run.wallStart = run.wallLast = std::chrono::steady_clock::now();
    Simulator::Schedule(MilliSeconds(100), &Run::Progress, &run);
    if (!quiet)
    {
        std::fprintf(stderr, "aero-sim: %s: %u nodes, %.0f s simulated, results in %s\n",
                     s->run.name, s->nodes->len, s->run.duration / 1e9, run.outDir.c_str());
    }
    Simulator::Stop(NanoSeconds(s->run.duration));
    Simulator::Run();
    double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - run.wallStart).count();
    std::fclose(run.evf);
    std::fclose(run.flf);
    if (run.posf)
    {
        std::fclose(run.posf);
    }
    run.Finish(utc, wall);
    Simulator::Destroy();
    aero_scenario_free(s);
    return 0;
}
