/*
 * sim-adapter/aero-application.cc -- AeroApplication, AeroNameTable and
 * AeroRouteBus (see aero-application.h).
 */
#include "aero-application.h"

#include "ns3/boolean.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv6-routing-table-entry.h"
#include "ns3/ipv6-static-routing-helper.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/udp-socket-factory.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cstring>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("AeroApplication");
NS_OBJECT_ENSURE_REGISTERED(AeroNameTable);
NS_OBJECT_ENSURE_REGISTERED(AeroRouteBus);
NS_OBJECT_ENSURE_REGISTERED(AeroApplication);

static const uint16_t kIpv6Proto = 0x86DD;

static Ipv6Address
ToNs3(const aero_in6& a)
{
    return Ipv6Address(const_cast<uint8_t*>(a.b));
}

/* ---- AeroNameTable ------------------------------------------------------ */

TypeId
AeroNameTable::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::AeroNameTable").SetParent<Object>().SetGroupName("Aero").AddConstructor<AeroNameTable>();
    return tid;
}

void
AeroNameTable::Add(const std::string& name, const std::vector<aero_peer>& peers)
{
    m_table[name] = peers;
}

bool
AeroNameTable::Lookup(const std::string& name, std::vector<aero_peer>& out) const
{
    auto it = m_table.find(name);
    if (it == m_table.end())
    {
        return false;
    }
    out = it->second;
    return true;
}

/* ---- AeroRouteBus ------------------------------------------------------- */

TypeId
AeroRouteBus::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::AeroRouteBus")
            .SetParent<Object>()
            .SetGroupName("Aero")
            .AddConstructor<AeroRouteBus>()
            .AddAttribute("HoldTime",
                          "How long after a member's session drops (crash) its peers "
                          "withdraw the routes it announced (session-loss detection)",
                          TimeValue(MilliSeconds(10)),
                          MakeTimeAccessor(&AeroRouteBus::m_holdTime),
                          MakeTimeChecker());
    return tid;
}

bool
AeroRouteBus::RibKey::operator<(const RibKey& o) const
{
    if (server != o.server)
    {
        return server < o.server;
    }
    if (p.plen != o.p.plen)
    {
        return p.plen < o.p.plen;
    }
    return std::memcmp(p.prefix.b, o.p.prefix.b, 16) < 0;
}

std::vector<uint8_t>
AeroRouteBus::Encode(bool add, const aero_peer& server, const std::vector<aero_prefix>& ps)
{
    std::vector<uint8_t> m(27 + 17 * ps.size(), 0);
    m[0] = 1;
    m[1] = add ? 1 : 2;
    m[2] = (uint8_t)(ps.size() >> 8);
    m[3] = (uint8_t)ps.size();
    m[4] = server.loc.family;
    m[5] = (uint8_t)(server.loc.port >> 8);
    m[6] = (uint8_t)server.loc.port;
    std::memcpy(&m[7], server.loc.ip, 16);
    m[23] = (uint8_t)(server.id >> 24);
    m[24] = (uint8_t)(server.id >> 16);
    m[25] = (uint8_t)(server.id >> 8);
    m[26] = (uint8_t)server.id;
    size_t o = 27;
    for (auto& p : ps)
    {
        m[o] = p.plen;
        std::memcpy(&m[o + 1], p.prefix.b, 16);
        o += 17;
    }
    return m;
}

bool
AeroRouteBus::Decode(const uint8_t* b, size_t len, bool& add, aero_peer& server,
                     std::vector<aero_prefix>& ps)
{
    if (len < 27 || b[0] != 1 || (b[1] != 1 && b[1] != 2))
    {
        return false;
    }
    size_t n = (size_t)b[2] << 8 | b[3];
    if (len != 27 + 17 * n)
    {
        return false;
    }
    add = b[1] == 1;
    std::memset(&server, 0, sizeof server);
    server.loc.family = b[4];
    server.loc.port = (uint16_t)(b[5] << 8 | b[6]);
    std::memcpy(server.loc.ip, b + 7, 16);
    server.id = (uint32_t)b[23] << 24 | (uint32_t)b[24] << 16 | (uint32_t)b[25] << 8 | b[26];
    ps.clear();
    for (size_t i = 0; i < n; i++)
    {
        aero_prefix p;
        std::memset(&p, 0, sizeof p);
        p.plen = b[27 + 17 * i];
        if (p.plen > 128)
        {
            return false;
        }
        std::memcpy(p.prefix.b, b + 28 + 17 * i, 16);
        ps.push_back(p);
    }
    return true;
}

void
AeroRouteBus::Join(Ptr<AeroApplication> app)
{
    m_members.push_back(app);
}

void
AeroRouteBus::Send(Ptr<AeroApplication> to, Ptr<AeroApplication> from, bool add,
                   const std::vector<aero_prefix>& ps)
{
    if (ps.empty())
    {
        return;
    }
    /* at most 64 prefixes (1115 bytes) per UPDATE: no fragmentation */
    for (size_t i = 0; i < ps.size(); i += 64)
    {
        std::vector<aero_prefix> part(ps.begin() + i, ps.begin() + std::min(ps.size(), i + 64));
        if (from->SendIbgp(to->GetLocator(), Encode(add, from->GetPeer(), part)))
        {
            m_messages++;
        }
    }
}

void
AeroRouteBus::Update(Ptr<AeroApplication> from, bool add, const aero_prefix& p)
{
    RibKey k{from->GetNode()->GetId(), p};
    if (add)
    {
        m_rib[k] = from;
    }
    else
    {
        m_rib.erase(k);
    }
    for (auto& m : m_members)
    {
        if (m != from)
        {
            Send(m, from, add, {p});
        }
    }
}

void
AeroRouteBus::SessionDown(Ptr<AeroApplication> app)
{
    /* the session drops: its peers withdraw everything app announced once
     * they notice (HoldTime); no packet, the Server is gone */
    aero_peer server = app->GetPeer();
    for (auto it = m_rib.begin(); it != m_rib.end();)
    {
        if (it->second == app)
        {
            for (auto& m : m_members)
            {
                if (m != app)
                {
                    Simulator::Schedule(m_holdTime, &AeroApplication::RouteUpdate, m, false,
                                        it->first.p, server);
                }
            }
            m_stash[app->GetNode()->GetId()].push_back(it->first.p);
            it = m_rib.erase(it);
        }
        else
        {
            ++it;
        }
    }
}

void
AeroRouteBus::SessionUp(Ptr<AeroApplication> app, bool keptState)
{
    /* a Server that kept its bindings announces them again */
    auto stash = std::move(m_stash[app->GetNode()->GetId()]);
    m_stash.erase(app->GetNode()->GetId());
    if (keptState)
    {
        for (auto& p : stash)
        {
            Update(app, true, p);
        }
    }
    /* session re-established: every other Server sends app its routes
     * (the RIB is ordered by Server, so one UPDATE per Server) */
    Ptr<AeroApplication> cur;
    std::vector<aero_prefix> ps;
    for (auto& e : m_rib)
    {
        if (e.second == app)
        {
            continue;
        }
        if (e.second != cur)
        {
            if (cur)
            {
                Send(app, cur, true, ps);
            }
            cur = e.second;
            ps.clear();
        }
        ps.push_back(e.first.p);
    }
    if (cur)
    {
        Send(app, cur, true, ps);
    }
}

/* ---- AeroApplication ---------------------------------------------------- */

TypeId
AeroApplication::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::AeroApplication")
            .SetParent<Application>()
            .SetGroupName("Aero")
            .AddConstructor<AeroApplication>()
            .AddAttribute("ReachableTime", "NUD reachable time (digest 5)",
                          TimeValue(Seconds(30)),
                          MakeTimeAccessor(&AeroApplication::m_reachableTime),
                          MakeTimeChecker())
            .AddAttribute("RetransTimer", "ND retransmission timer",
                          TimeValue(Seconds(1)),
                          MakeTimeAccessor(&AeroApplication::m_retransTimer),
                          MakeTimeChecker())
            .AddAttribute("ForwardTime", "route optimisation FORWARD lifetime",
                          TimeValue(Seconds(30)),
                          MakeTimeAccessor(&AeroApplication::m_forwardTime),
                          MakeTimeChecker())
            .AddAttribute("AcceptTime", "route optimisation ACCEPT lifetime",
                          TimeValue(Seconds(40)),
                          MakeTimeAccessor(&AeroApplication::m_acceptTime),
                          MakeTimeChecker())
            .AddAttribute("KeepaliveTime", "route optimisation keepalive interval",
                          TimeValue(Seconds(5)),
                          MakeTimeAccessor(&AeroApplication::m_keepaliveTime),
                          MakeTimeChecker())
            .AddAttribute("MaxRetry", "ND/RO retransmissions before giving up",
                          UintegerValue(3),
                          MakeUintegerAccessor(&AeroApplication::m_maxRetry),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("NameDelay", "delay of the simulated name service",
                          TimeValue(MilliSeconds(1)),
                          MakeTimeAccessor(&AeroApplication::m_nameDelay),
                          MakeTimeChecker())
            .AddAttribute("DropEvents", "emit a Drop trace beside every drop counter",
                          BooleanValue(false),
                          MakeBooleanAccessor(&AeroApplication::m_dropEvents),
                          MakeBooleanChecker())
            .AddTraceSource("CoreEvent", "every event of the core node",
                            MakeTraceSourceAccessor(&AeroApplication::m_evTrace),
                            "ns3::AeroApplication::CoreEventCallback")
            .AddTraceSource("Prefix", "prefix delegated, renewed or lost",
                            MakeTraceSourceAccessor(&AeroApplication::m_prefixTrace),
                            "ns3::AeroApplication::CoreEventCallback")
            .AddTraceSource("RouteAnnounce", "route announce/withdraw of a Server",
                            MakeTraceSourceAccessor(&AeroApplication::m_routeTrace),
                            "ns3::AeroApplication::CoreEventCallback")
            .AddTraceSource("Neighbor", "neighbor up/down",
                            MakeTraceSourceAccessor(&AeroApplication::m_neighborTrace),
                            "ns3::AeroApplication::CoreEventCallback")
            .AddTraceSource("RouteOptimisation", "route optimisation up/down",
                            MakeTraceSourceAccessor(&AeroApplication::m_roTrace),
                            "ns3::AeroApplication::CoreEventCallback")
            .AddTraceSource("Handover", "Client handover (new locator or Server)",
                            MakeTraceSourceAccessor(&AeroApplication::m_handoverTrace),
                            "ns3::AeroApplication::CoreEventCallback")
            .AddTraceSource("Drop", "a drop with its counter name (DropEvents)",
                            MakeTraceSourceAccessor(&AeroApplication::m_dropTrace),
                            "ns3::AeroApplication::CoreEventCallback")
            .AddTraceSource("UnderlayTx", "UDP payload sent on the underlay",
                            MakeTraceSourceAccessor(&AeroApplication::m_underlayTx),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("UnderlayRx", "UDP payload received from the underlay",
                            MakeTraceSourceAccessor(&AeroApplication::m_underlayRx),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("TunnelTx", "inner packet from the IPv6 stack to the core",
                            MakeTraceSourceAccessor(&AeroApplication::m_tunnelTx),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("TunnelRx", "inner packet from the core to the IPv6 stack",
                            MakeTraceSourceAccessor(&AeroApplication::m_tunnelRx),
                            "ns3::Packet::TracedCallback");
    return tid;
}

AeroApplication::AeroApplication()
{
    aero_config_default(&m_cfg, AERO_ROLE_CLIENT);
    m_rng = CreateObject<UniformRandomVariable>();
}

AeroApplication::~AeroApplication()
{
    if (m_core)
    {
        aero_node_free(m_core);
        m_core = nullptr;
    }
}

void
AeroApplication::DoDispose()
{
    m_timer.Cancel();
    CloseSockets();
    if (m_core)
    {
        aero_node_free(m_core);
        m_core = nullptr;
    }
    m_aero = nullptr;
    m_downstream.clear();
    m_names = nullptr;
    m_bus = nullptr;
    m_rng = nullptr;
    Application::DoDispose();
}

void
AeroApplication::SetConfig(const aero_config& cfg)
{
    m_cfg = cfg;
}

int64_t
AeroApplication::AssignStreams(int64_t stream)
{
    m_rng->SetStream(stream);
    return 1;
}

void
AeroApplication::SetAeroDevice(Ptr<VirtualNetDevice> dev)
{
    m_aero = dev;
    dev->SetSendCallback(MakeBoundCallback(
        +[](AeroApplication* self, Ptr<Packet> p, const Address& s, const Address& d,
            uint16_t proto) { return self->AeroSend(p, s, d, proto, 0); },
        this));
}

void
AeroApplication::AddDownstreamDevice(Ptr<VirtualNetDevice> dev)
{
    m_downstream.push_back(dev);
    uint32_t k = m_downstream.size();
    dev->SetSendCallback(MakeBoundCallback(
        +[](AeroApplication* self, uint32_t ifk, Ptr<Packet> p, const Address& s,
            const Address& d,
            uint16_t proto) { return self->AeroSend(p, s, d, proto, ifk); },
        this,
        k));
}

void
AeroApplication::SetDownstreamLan(uint32_t k, Ptr<NetDevice> lan)
{
    m_lans[k] = lan;
    GetNode()->RegisterProtocolHandler(
        MakeBoundCallback(
            +[](AeroApplication* self, uint32_t ifk, Ptr<NetDevice>, Ptr<const Packet> p,
                uint16_t, const Address&, const Address&, NetDevice::PacketType) {
                uint8_t h[44];
                if (p->GetSize() < 44 || p->CopyData(h, 44) != 44)
                {
                    return;
                }
                bool rs = h[6] == 58 && h[40] == 133;
                bool dhcp = h[6] == 17 && (h[42] << 8 | h[43]) == 547;
                if (rs || dhcp)
                {
                    self->InjectTunnel(ifk, p);
                }
            },
            this,
            k),
        kIpv6Proto,
        lan,
        false);
}

aero_peer
AeroApplication::GetPeer() const
{
    aero_peer p;
    p.loc = m_cfg.self;
    p.id = m_cfg.id;
    return p;
}

void
AeroApplication::CoreRand(uint8_t* dst, size_t len, void* user)
{
    auto self = static_cast<AeroApplication*>(user);
    for (size_t i = 0; i < len; i++)
    {
        dst[i] = (uint8_t)self->m_rng->GetInteger(0, 255);
    }
}

void
AeroApplication::CoreLog(int level, const char* msg, void* user)
{
    auto self = static_cast<AeroApplication*>(user);
    (void)self;
    if (level <= 4)
    {
        NS_LOG_WARN(self->m_name << ": " << msg);
    }
    else
    {
        NS_LOG_DEBUG(self->m_name << ": " << msg);
    }
}

bool
AeroApplication::CreateCore()
{
    static const aero_callbacks cb = {&AeroApplication::CoreRand, &AeroApplication::CoreLog};
    aero_config c = m_cfg;
    c.reachable_time = m_reachableTime.GetNanoSeconds();
    c.retrans_timer = m_retransTimer.GetNanoSeconds();
    c.forward_time = m_forwardTime.GetNanoSeconds();
    c.accept_time = m_acceptTime.GetNanoSeconds();
    c.keepalive_time = m_keepaliveTime.GetNanoSeconds();
    c.max_retry = m_maxRetry;
    c.drop_events = m_dropEvents;
    int rc = aero_node_new(&m_core,
                           &c,
                           &cb,
                           this,
                           (aero_tstamp)Simulator::Now().GetNanoSeconds());
    if (rc != 0)
    {
        NS_LOG_ERROR(m_name << ": aero_node_new: " << aero_strerror(rc));
        m_core = nullptr;
        return false;
    }
    return true;
}

void
AeroApplication::StartApplication()
{
    NS_LOG_FUNCTION(this);
    m_started = true;
    if (!CreateCore())
    {
        NS_FATAL_ERROR("AeroApplication " << m_name << ": the core refused the configuration");
    }
    m_running = true;
    OpenSocket();
    m_depth++;
    Drain();
    m_depth--;
    Rearm();
}

void
AeroApplication::StopApplication()
{
    m_running = false;
    m_timer.Cancel();
    CloseSockets();
}

void
AeroApplication::OpenSocket()
{
    m_socket = SocketFor(m_cfg.self.port);
    if (m_bus && (m_cfg.role == AERO_ROLE_SERVER || m_cfg.role == AERO_ROLE_RELAY))
    {
        /* the iBGP session endpoint: UDP port 179 on the locator address */
        m_ibgp = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
        int rc;
        if (m_cfg.self.family == 4)
        {
            rc = m_ibgp->Bind(InetSocketAddress(Ipv4Address::Deserialize(m_cfg.self.ip),
                                                AeroRouteBus::kPort));
        }
        else
        {
            rc = m_ibgp->Bind(Inet6SocketAddress(Ipv6Address(const_cast<uint8_t*>(m_cfg.self.ip)),
                                                 AeroRouteBus::kPort));
        }
        if (rc != 0)
        {
            NS_LOG_WARN(m_name << ": cannot bind the iBGP socket");
        }
        m_ibgp->SetRecvCallback(MakeCallback(&AeroApplication::HandleIbgp, this));
    }
}

bool
AeroApplication::SendIbgp(const aero_loc& to, const std::vector<uint8_t>& msg)
{
    if (!m_running || !m_ibgp || to.family != m_cfg.self.family)
    {
        return false;
    }
    Ptr<Packet> p = Create<Packet>(msg.data(), msg.size());
    int rc;
    if (to.family == 4)
    {
        rc = m_ibgp->SendTo(p, 0, InetSocketAddress(Ipv4Address::Deserialize(to.ip), AeroRouteBus::kPort));
    }
    else
    {
        rc = m_ibgp->SendTo(p,
                            0,
                            Inet6SocketAddress(Ipv6Address(const_cast<uint8_t*>(to.ip)),
                                               AeroRouteBus::kPort));
    }
    return rc >= 0;
}

void
AeroApplication::HandleIbgp(Ptr<Socket> s)
{
    Address from;
    Ptr<Packet> p;
    while ((p = s->RecvFrom(from)))
    {
        if (!m_running || !m_core)
        {
            continue;
        }
        std::vector<uint8_t> buf(p->GetSize());
        p->CopyData(buf.data(), buf.size());
        bool add;
        aero_peer server;
        std::vector<aero_prefix> ps;
        if (!AeroRouteBus::Decode(buf.data(), buf.size(), add, server, ps))
        {
            NS_LOG_WARN(m_name << ": malformed iBGP UPDATE (" << buf.size() << " bytes)");
            continue;
        }
        for (auto& pfx : ps)
        {
            RouteUpdate(add, pfx, server);
        }
    }
}

Ptr<Socket>
AeroApplication::SocketFor(uint16_t port)
{
    if (m_socket && port == m_cfg.self.port)
    {
        return m_socket;
    }
    auto it = m_extraSockets.find(port);
    if (it != m_extraSockets.end())
    {
        return it->second;
    }
    Ptr<Socket> s = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
    int rc;
    if (m_cfg.self.family == 4)
    {
        Ipv4Address a = Ipv4Address::Deserialize(m_cfg.self.ip);
        rc = s->Bind(InetSocketAddress(a, port));
        s->SetRecvPktInfo(true);
    }
    else
    {
        Ipv6Address a(const_cast<uint8_t*>(m_cfg.self.ip));
        rc = s->Bind(Inet6SocketAddress(a, port));
    }
    if (rc != 0)
    {
        NS_LOG_WARN(m_name << ": cannot bind the underlay socket to port " << port);
    }
    s->SetRecvCallback(MakeCallback(&AeroApplication::HandleRead, this));
    if (port != m_cfg.self.port)
    {
        m_extraSockets[port] = s;
    }
    return s;
}

void
AeroApplication::CloseSockets()
{
    if (m_socket)
    {
        m_socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        m_socket->Close();
        m_socket = nullptr;
    }
    for (auto& e : m_extraSockets)
    {
        e.second->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        e.second->Close();
    }
    m_extraSockets.clear();
    if (m_ibgp)
    {
        m_ibgp->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        m_ibgp->Close();
        m_ibgp = nullptr;
    }
}

void
AeroApplication::HandleRead(Ptr<Socket> s)
{
    Address from;
    Ptr<Packet> p;
    while ((p = s->RecvFrom(from)))
    {
        if (!m_running || !m_core)
        {
            continue;
        }
        m_underlayRx(p);
        std::vector<uint8_t> buf(p->GetSize());
        p->CopyData(buf.data(), buf.size());
        aero_pktinfo pi;
        std::memset(&pi, 0, sizeof pi);
        pi.side = AERO_SIDE_UNDERLAY;
        pi.dst = m_cfg.self;
        Address local;
        s->GetSockName(local);
        pi.ttl = 64;
        if (InetSocketAddress::IsMatchingType(from))
        {
            InetSocketAddress f = InetSocketAddress::ConvertFrom(from);
            pi.src.family = 4;
            f.GetIpv4().Serialize(pi.src.ip);
            pi.src.port = f.GetPort();
            pi.dst.port = InetSocketAddress::ConvertFrom(local).GetPort();
            SocketIpTosTag tos;
            if (p->PeekPacketTag(tos))
            {
                pi.tclass = tos.GetTos();
            }
            SocketIpTtlTag ttl;
            if (p->PeekPacketTag(ttl))
            {
                pi.ttl = ttl.GetTtl();
            }
        }
        else if (Inet6SocketAddress::IsMatchingType(from))
        {
            Inet6SocketAddress f = Inet6SocketAddress::ConvertFrom(from);
            pi.src.family = 6;
            f.GetIpv6().GetBytes(pi.src.ip);
            pi.src.port = f.GetPort();
            pi.dst.port = Inet6SocketAddress::ConvertFrom(local).GetPort();
            SocketIpv6TclassTag tc;
            if (p->PeekPacketTag(tc))
            {
                pi.tclass = tc.GetTclass();
            }
            SocketIpv6HopLimitTag hl;
            if (p->PeekPacketTag(hl))
            {
                pi.ttl = hl.GetHopLimit();
            }
        }
        else
        {
            continue;
        }
        m_depth++;
        aero_node_recv(m_core, &pi, buf.data(), buf.size(),
                       (aero_tstamp)Simulator::Now().GetNanoSeconds());
        Drain();
        m_depth--;
        Rearm();
    }
}

bool
AeroApplication::AeroSend(Ptr<Packet> p, const Address&, const Address&, uint16_t proto,
                          uint32_t ifindex)
{
    if (proto != kIpv6Proto)
    {
        return false;
    }
    std::vector<uint8_t> buf(p->GetSize());
    p->CopyData(buf.data(), buf.size());
    /* the host stack's own ND (RS, NS for DAD ...) stays on the host: the
     * core runs ND on the AERO link itself */
    if (buf.size() >= 41 && buf[6] == 58 && buf[40] >= 133 && buf[40] <= 137)
    {
        return true;
    }
    if (!m_running || !m_core)
    {
        return false;
    }
    m_tunnelTx(p);
    TunnelIn(ifindex, buf);
    return true;
}

void
AeroApplication::InjectTunnel(uint32_t ifindex, Ptr<const Packet> p)
{
    if (!m_running || !m_core)
    {
        return;
    }
    std::vector<uint8_t> buf(p->GetSize());
    p->CopyData(buf.data(), buf.size());
    m_tunnelTx(p);
    TunnelIn(ifindex, buf);
}

void
AeroApplication::TunnelIn(uint32_t ifindex, const std::vector<uint8_t>& pkt)
{
    if (m_depth > 0)
    {
        /* re-entered from the IPv6 stack while draining: later */
        m_pending.emplace_back(ifindex, pkt);
        return;
    }
    aero_pktinfo pi;
    std::memset(&pi, 0, sizeof pi);
    pi.side = AERO_SIDE_TUNNEL;
    pi.ifindex = ifindex;
    m_depth++;
    aero_node_recv(m_core, &pi, pkt.data(), pkt.size(),
                   (aero_tstamp)Simulator::Now().GetNanoSeconds());
    Drain();
    m_depth--;
    Rearm();
}

void
AeroApplication::Timeout()
{
    if (!m_running || !m_core)
    {
        return;
    }
    m_depth++;
    aero_node_timeout(m_core, (aero_tstamp)Simulator::Now().GetNanoSeconds());
    Drain();
    m_depth--;
    Rearm();
}

void
AeroApplication::Drain()
{
    aero_out o;
    while (m_core && aero_node_poll(m_core, &o))
    {
        if (o.kind == AERO_OUT_PACKET)
        {
            if (o.pi.side == AERO_SIDE_UNDERLAY)
            {
                SendUnderlay(o);
            }
            else
            {
                DeliverUp(o);
            }
        }
        else
        {
            HandleEvent(o.ev);
        }
    }
}

void
AeroApplication::Rearm()
{
    if (m_depth > 0)
    {
        return;
    }
    /* packets the IPv6 stack sent while we were draining */
    while (!m_pending.empty() && m_running && m_core)
    {
        auto e = std::move(m_pending.front());
        m_pending.pop_front();
        TunnelIn(e.first, e.second);
    }
    m_pending.clear();
    if (!m_running || !m_core)
    {
        m_timer.Cancel();
        return;
    }
    aero_tstamp d = aero_node_deadline(m_core);
    if (d == AERO_TSTAMP_NONE)
    {
        m_timer.Cancel();
        return;
    }
    Time at = NanoSeconds((int64_t)d);
    if (m_timer.IsRunning() && m_timerAt == at)
    {
        return;
    }
    m_timer.Cancel();
    Time now = Simulator::Now();
    m_timerAt = at;
    m_timer = Simulator::Schedule(at > now ? at - now : Time(0), &AeroApplication::Timeout, this);
}

void
AeroApplication::SendUnderlay(const aero_out& o)
{
    Ptr<Socket> s = SocketFor(o.pi.src.port ? o.pi.src.port : m_cfg.self.port);
    Ptr<Packet> p = Create<Packet>(o.data, o.len);
    m_underlayTx(p);
    if (o.pi.dst.family == 4)
    {
        s->SetIpTos(o.pi.tclass);
        if (o.pi.ttl)
        {
            s->SetIpTtl(o.pi.ttl);
        }
        s->SendTo(p, 0, InetSocketAddress(Ipv4Address::Deserialize(o.pi.dst.ip), o.pi.dst.port));
    }
    else if (o.pi.dst.family == 6)
    {
        s->SetIpv6Tclass(o.pi.tclass);
        if (o.pi.ttl)
        {
            s->SetIpv6HopLimit(o.pi.ttl);
        }
        s->SendTo(p,
                  0,
                  Inet6SocketAddress(Ipv6Address(const_cast<uint8_t*>(o.pi.dst.ip)),
                                     o.pi.dst.port));
    }
}

void
AeroApplication::DeliverUp(const aero_out& o)
{
    Ptr<VirtualNetDevice> dev;
    auto lan = m_lans.find(o.pi.ifindex);
    Ptr<Ipv6> ip6 = GetNode()->GetObject<Ipv6>();
    if (o.pi.ifindex != 0 && lan != m_lans.end() && o.len >= 40 && ip6 &&
        ip6->GetInterfaceForAddress(Ipv6Address(const_cast<uint8_t*>(o.data + 24))) >= 0)
    {
        /* for the router Client itself (its downstream address, mirrored
         * on aero0): up its own stack, as without a real link */
        Ptr<Packet> p = Create<Packet>(o.data, o.len);
        m_tunnelRx(p);
        m_aero->Receive(p, kIpv6Proto, m_aero->GetAddress(), m_aero->GetAddress(),
                        NetDevice::PACKET_HOST);
        return;
    }
    if (o.pi.ifindex != 0 && lan != m_lans.end())
    {
        Ptr<Packet> p = Create<Packet>(o.data, o.len);
        m_tunnelRx(p);
        lan->second->Send(p, lan->second->GetBroadcast(), kIpv6Proto);
        return;
    }
    if (o.pi.ifindex == 0)
    {
        dev = m_aero;
    }
    else if (o.pi.ifindex <= m_downstream.size())
    {
        dev = m_downstream[o.pi.ifindex - 1];
    }
    if (!dev)
    {
        return;
    }
    Ptr<Packet> p = Create<Packet>(o.data, o.len);
    m_tunnelRx(p);
    dev->Receive(p, kIpv6Proto, dev->GetAddress(), dev->GetAddress(), NetDevice::PACKET_HOST);
}

uint32_t
AeroApplication::Ipv6IfFor(uint32_t ifindex) const
{
    Ptr<Ipv6> ipv6 = GetNode()->GetObject<Ipv6>();
    Ptr<NetDevice> dev;
    auto lan = m_lans.find(ifindex);
    if (ifindex == 0)
    {
        dev = m_aero;
    }
    else if (lan != m_lans.end())
    {
        dev = lan->second;
    }
    else if (ifindex <= m_downstream.size())
    {
        dev = m_downstream[ifindex - 1];
    }
    if (!ipv6 || !dev)
    {
        return UINT32_MAX;
    }
    int32_t i = ipv6->GetInterfaceForDevice(dev);
    return i < 0 ? UINT32_MAX : (uint32_t)i;
}

void
AeroApplication::ApplyAddr(const aero_event& ev, bool add)
{
    uint32_t ifx = Ipv6IfFor(ev.ifindex);
    if (ifx == UINT32_MAX)
    {
        return;
    }
    Ptr<Ipv6> ipv6 = GetNode()->GetObject<Ipv6>();
    Ipv6Address a = ToNs3(ev.addr);
    uint8_t plen = ev.plen ? ev.plen : 128;
    /* ns-3 takes the source address from the output interface only (and
     * TCP's SetupEndpoint6 overrides a bound one), so a downstream global
     * address of a router Client is mirrored as a /128 on aero0, where
     * the default route points */
    uint32_t aeroIf = ev.ifindex > 0 && !a.IsLinkLocal() ? Ipv6IfFor(0) : UINT32_MAX;
    /* the AERO link-local is the router's address on its real downstream
     * links as well (the source of the core's RAs there) */
    if (ev.ifindex == 0 && a.IsLinkLocal())
    {
        for (auto& l : m_lans)
        {
            int32_t li = ipv6->GetInterfaceForDevice(l.second);
            if (li < 0)
            {
                continue;
            }
            if (add)
            {
                ipv6->AddAddress(li, Ipv6InterfaceAddress(a, Ipv6Prefix(64)));
            }
            else
            {
                ipv6->RemoveAddress(li, a);
            }
        }
    }
    if (add)
    {
        ipv6->AddAddress(ifx, Ipv6InterfaceAddress(a, Ipv6Prefix(plen)));
        if (aeroIf != UINT32_MAX)
        {
            ipv6->AddAddress(aeroIf, Ipv6InterfaceAddress(a, Ipv6Prefix(128)));
        }
        m_addrs.push_back(ev);
    }
    else
    {
        ipv6->RemoveAddress(ifx, a);
        if (aeroIf != UINT32_MAX)
        {
            ipv6->RemoveAddress(aeroIf, a);
        }
        m_addrs.erase(std::remove_if(m_addrs.begin(),
                                     m_addrs.end(),
                                     [&](const aero_event& e) {
                                         return e.ifindex == ev.ifindex &&
                                                std::memcmp(e.addr.b, ev.addr.b, 16) == 0;
                                     }),
                      m_addrs.end());
    }
}

void
AeroApplication::ApplyRoute(const aero_event& ev, bool add)
{
    if (ev.rkind == AERO_RT_BLACKHOLE)
    {
        return; /* the core drops those packets itself */
    }
    uint32_t ifx = Ipv6IfFor(ev.ifindex);
    if (ifx == UINT32_MAX)
    {
        return;
    }
    Ptr<Ipv6> ipv6 = GetNode()->GetObject<Ipv6>();
    Ptr<Ipv6StaticRouting> rt = Ipv6StaticRoutingHelper().GetStaticRouting(ipv6);
    if (!rt)
    {
        return;
    }
    Ipv6Address dst = ToNs3(ev.prefix);
    Ipv6Prefix pfx(ev.plen);
    Ipv6Address gw = ev.rkind == AERO_RT_VIA ? ToNs3(ev.addr) : Ipv6Address::GetAny();
    if (add)
    {
        if (gw.IsAny())
        {
            rt->AddNetworkRouteTo(dst, pfx, ifx);
        }
        else
        {
            rt->AddNetworkRouteTo(dst, pfx, gw, ifx);
        }
        m_routes.push_back(ev);
        return;
    }
    for (uint32_t i = rt->GetNRoutes(); i-- > 0;)
    {
        Ipv6RoutingTableEntry r = rt->GetRoute(i);
        if (r.GetInterface() == ifx && r.GetDestNetwork() == dst.CombinePrefix(pfx) &&
            r.GetDestNetworkPrefix() == pfx && (gw.IsAny() || r.GetGateway() == gw))
        {
            rt->RemoveRoute(i);
            break;
        }
    }
    m_routes.erase(std::remove_if(m_routes.begin(),
                                  m_routes.end(),
                                  [&](const aero_event& e) {
                                      return e.plen == ev.plen && e.ifindex == ev.ifindex &&
                                             std::memcmp(e.prefix.b, ev.prefix.b, 16) == 0;
                                  }),
                   m_routes.end());
}

void
AeroApplication::RemoveHostConfig()
{
    auto routes = m_routes;
    for (auto it = routes.rbegin(); it != routes.rend(); ++it)
    {
        ApplyRoute(*it, false);
    }
    auto addrs = m_addrs;
    for (auto it = addrs.rbegin(); it != addrs.rend(); ++it)
    {
        ApplyAddr(*it, false);
    }
}

void
AeroApplication::AnswerName(std::string name)
{
    if (!m_running || !m_core)
    {
        return;
    }
    std::vector<aero_peer> peers;
    if (m_names)
    {
        m_names->Lookup(name, peers);
    }
    m_depth++;
    aero_node_name_answer(m_core, name.c_str(), peers.data(), peers.size(),
                          (aero_tstamp)Simulator::Now().GetNanoSeconds());
    Drain();
    m_depth--;
    Rearm();
}

void
AeroApplication::RouteUpdate(bool add, aero_prefix p, aero_peer server)
{
    if (!m_running || !m_core)
    {
        return;
    }
    m_depth++;
    aero_node_route_update(m_core, add, &p, &server,
                           (aero_tstamp)Simulator::Now().GetNanoSeconds());
    Drain();
    m_depth--;
    Rearm();
}

void
AeroApplication::HandleEvent(const aero_event& ev)
{
    Ptr<AeroApplication> self(this);
    switch (ev.type)
    {
    case AERO_EV_NAME_QUERY:
        if (ev.name)
        {
            Simulator::Schedule(m_nameDelay, &AeroApplication::AnswerName, this,
                                std::string(ev.name));
        }
        break;
    case AERO_EV_ADDR_ADD:
    case AERO_EV_ADDR_DEL:
        ApplyAddr(ev, ev.type == AERO_EV_ADDR_ADD);
        break;
    case AERO_EV_ROUTE_ADD:
    case AERO_EV_ROUTE_DEL:
        ApplyRoute(ev, ev.type == AERO_EV_ROUTE_ADD);
        break;
    case AERO_EV_ROUTE_ANNOUNCE:
    case AERO_EV_ROUTE_WITHDRAW:
        if (m_cfg.role == AERO_ROLE_SERVER && m_bus)
        {
            aero_prefix p;
            p.prefix = ev.prefix;
            p.plen = ev.plen;
            m_bus->Update(self, ev.type == AERO_EV_ROUTE_ANNOUNCE, p);
        }
        m_routeTrace(self, ev);
        break;
    case AERO_EV_PREFIX_DELEGATED:
    case AERO_EV_PREFIX_RENEWED:
    case AERO_EV_PREFIX_LOST:
        m_prefixTrace(self, ev);
        break;
    case AERO_EV_NEIGHBOR_UP:
    case AERO_EV_NEIGHBOR_DOWN:
        m_neighborTrace(self, ev);
        break;
    case AERO_EV_RO_UP:
    case AERO_EV_RO_DOWN:
        m_roTrace(self, ev);
        break;
    case AERO_EV_HANDOVER:
        m_handoverTrace(self, ev);
        break;
    case AERO_EV_DROP:
        m_dropTrace(self, ev);
        break;
    default:
        break;
    }
    m_evTrace(self, ev);
}

void
AeroApplication::SetLocator(const aero_loc& loc)
{
    m_cfg.self = loc;
    if (!m_running || !m_core)
    {
        return;
    }
    CloseSockets();
    OpenSocket();
    m_depth++;
    aero_node_set_locator(m_core, &loc, (aero_tstamp)Simulator::Now().GetNanoSeconds());
    Drain();
    m_depth--;
    Rearm();
}

void
AeroApplication::Crash(bool keepState)
{
    if (!m_running)
    {
        return;
    }
    m_running = false;
    m_timer.Cancel();
    CloseSockets();
    if (!keepState && m_core)
    {
        aero_node_free(m_core);
        m_core = nullptr;
        RemoveHostConfig();
    }
    if (m_bus && (m_cfg.role == AERO_ROLE_SERVER || m_cfg.role == AERO_ROLE_RELAY))
    {
        m_bus->SessionDown(Ptr<AeroApplication>(this));
    }
}

void
AeroApplication::Restart()
{
    if (m_running || !m_started)
    {
        return;
    }
    bool fresh = m_core == nullptr;
    if (fresh && !CreateCore())
    {
        return;
    }
    m_running = true;
    OpenSocket();
    m_depth++;
    if (!fresh)
    {
        aero_node_timeout(m_core, (aero_tstamp)Simulator::Now().GetNanoSeconds());
    }
    Drain();
    m_depth--;
    Rearm();
    if (m_bus && (m_cfg.role == AERO_ROLE_SERVER || m_cfg.role == AERO_ROLE_RELAY))
    {
        m_bus->SessionUp(Ptr<AeroApplication>(this), !fresh);
    }
}

} // namespace ns3
