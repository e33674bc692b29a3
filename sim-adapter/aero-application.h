/*
 * sim-adapter/aero-application.h -- the ns-3 host of the sans-I/O AERO/VET
 * core (style-anchors 3.6).
 *
 * One AeroApplication per ns-3 node owns one aero_node:
 *  - underlay: an ns-3 UDP socket bound to the node's locator (IPv4 or
 *    IPv6 address, port 8060 for Servers/Relays, a fixed client port for
 *    Clients); its receive callback calls aero_node_recv (UNDERLAY);
 *  - AERO interface: a VirtualNetDevice "aero0" with IPv6; its send
 *    callback hands inner packets to aero_node_recv (TUNNEL, ifindex 0);
 *    core TUNNEL outputs go up through VirtualNetDevice::Receive. Router
 *    and hybrid Clients get one more VirtualNetDevice per downstream link
 *    (ifindex k) that carries the node's own downstream addresses; the
 *    hosts behind those links are not simulated (first version);
 *  - the core timer is one EventId rescheduled after every call at
 *    aero_node_deadline(); time is Simulator::Now() in ns; randomness comes
 *    from a UniformRandomVariable (follows RngSeed/RngRun);
 *  - core events become ns-3 actions: ADDR_ADD/DEL -> IPv6 addresses,
 *    ROUTE_ADD/DEL -> Ipv6StaticRouting (BLACKHOLE routes are left to the
 *    core, which drops those packets itself), NAME_QUERY -> AeroNameTable,
 *    ROUTE_ANNOUNCE/WITHDRAW of a Server -> AeroRouteBus (iBGP UPDATE
 *    packets to UDP port 179 of the other Servers and Relays),
 *    and every event fires the trace sources.
 */
#ifndef AERO_SIM_AERO_APPLICATION_H
#define AERO_SIM_AERO_APPLICATION_H

#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/ipv6-address.h"
#include "ns3/nstime.h"
#include "ns3/ptr.h"
#include "ns3/random-variable-stream.h"
#include "ns3/socket.h"
#include "ns3/traced-callback.h"
#include "ns3/virtual-net-device.h"

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "aero/aero.h"

namespace ns3
{

class AeroApplication;

/* The simulated name service: DNS name -> peers (the PRL of the link). */
class AeroNameTable : public Object
{
  public:
    static TypeId GetTypeId();
    void Add(const std::string& name, const std::vector<aero_peer>& peers);
    /* false: no such name. */
    bool Lookup(const std::string& name, std::vector<aero_peer>& out) const;

  private:
    std::map<std::string, std::vector<aero_peer>> m_table;
};

/*
 * The model of the iBGP mesh between Servers and Relays. A Server's
 * ROUTE_ANNOUNCE/WITHDRAW becomes one UPDATE message, a UDP packet on the
 * underlay from the Server's locator address to port AeroRouteBus::kPort
 * (179) on the locator address of every other member (Relays and Servers);
 * the member's iBGP socket applies it with aero_node_route_update when it
 * arrives. Wire format (network byte order):
 *   0      version (1)
 *   1      op: 1 = announce, 2 = withdraw
 *   2..3   N, number of prefixes
 *   4      server locator family (4/6)
 *   5..6   server locator port
 *   7..22  server locator address (IPv4 in the first 4 bytes)
 *   23..26 server id
 *   27..   N x (plen, 16-byte prefix)
 * The bus is the session bookkeeping, not a transport: it keeps the RIB
 * (prefix -> Server) and who is up. When a member's session goes down
 * (crash) its peers notice after HoldTime and withdraw its routes locally
 * (no packet, as BGP on session loss); when a member comes back every
 * other Server sends it its routes again (one UPDATE per Server), and a
 * Server that kept its state announces its routes again.
 */
class AeroRouteBus : public Object
{
  public:
    static const uint16_t kPort = 179;
    static TypeId GetTypeId();
    void Join(Ptr<AeroApplication> app);
    void Update(Ptr<AeroApplication> from, bool add, const aero_prefix& p);
    void SessionDown(Ptr<AeroApplication> app);
    void SessionUp(Ptr<AeroApplication> app, bool keptState);
    /* UPDATE packets sent */
    uint64_t GetMessages() const { return m_messages; }
    /* Encode / decode one UPDATE (false: malformed). */
    static std::vector<uint8_t> Encode(bool add, const aero_peer& server,
                                       const std::vector<aero_prefix>& ps);
    static bool Decode(const uint8_t* b, size_t len, bool& add, aero_peer& server,
                       std::vector<aero_prefix>& ps);

  private:
    struct RibKey
    {
        uint32_t server;
        aero_prefix p;
        bool operator<(const RibKey& o) const;
    };
    void Send(Ptr<AeroApplication> to, Ptr<AeroApplication> from, bool add,
              const std::vector<aero_prefix>& ps);
    std::vector<Ptr<AeroApplication>> m_members;
    std::map<RibKey, Ptr<AeroApplication>> m_rib;
    std::map<uint32_t, std::vector<aero_prefix>> m_stash; /* routes of a down session */
    Time m_holdTime;
    uint64_t m_messages = 0;
};

class AeroApplication : public Application
{
  public:
    static TypeId GetTypeId();
    AeroApplication();
    ~AeroApplication() override;

    /* Before start: the core configuration (role, profile, self locator,
     * PRL, pools ...). The timer attributes are applied over it. */
    void SetConfig(const aero_config& cfg);
    const aero_config& GetConfig() const { return m_cfg; }
    void SetAeroDevice(Ptr<VirtualNetDevice> dev);
    Ptr<VirtualNetDevice> GetAeroDevice() const { return m_aero; }
    void AddDownstreamDevice(Ptr<VirtualNetDevice> dev);
    /* A real link (an Ethernet-like device of this node with IPv6) as
     * downstream link k (1-based) instead of the VirtualNetDevice: the
     * core's addresses for link k go on it (and the AERO link-local too, so
     * hosts resolve the RA's source), RS and DHCPv6 from the hosts go to
     * the core (TUNNEL, ifindex k), and what the core sends on link k (RA,
     * packets for the hosts) leaves as broadcast frames: the link is a hub
     * and the hosts' IPv6 stacks keep what is addressed to them. The
     * node's IPv6 stack forwards the hosts' packets to aero0 on its routes. */
    void SetDownstreamLan(uint32_t k, Ptr<NetDevice> lan);
    void SetNameTable(Ptr<AeroNameTable> t) { m_names = t; }
    void SetRouteBus(Ptr<AeroRouteBus> b) { m_bus = b; }
    void SetNodeName(const std::string& name) { m_name = name; }
    const std::string& GetNodeName() const { return m_name; }
    int64_t AssignStreams(int64_t stream);

    /* The node's locator changed (move, NAT rebinding): rebind the socket
     * and tell the core. Before start it only sets the configuration. */
    void SetLocator(const aero_loc& loc);
    const aero_loc& GetLocator() const { return m_cfg.self; }

    /* Crash: the node stops (socket closed, timer cancelled); keepState
     * keeps the core node, otherwise it is freed. Restart brings it back
     * (a new core node when the state was lost). Down/Up without crash
     * semantics is Crash(true)/Restart(). */
    void Crash(bool keepState);
    void Restart();
    bool IsRunning() const { return m_running; }

    aero_node* GetCore() const { return m_core; }
    /* Hand an inner IPv6 packet to the core's tunnel side as if the IPv6
     * stack had sent it on ifindex (0 = aero0). A Relay uses this for
     * packets from the outside: ns-3's Ipv6L3Protocol::IpForward drops
     * every packet for 2001:db8::/32 (RFC 3849), the prefix of the
     * shipped scenarios, so the Relay takes them off its outside devices
     * before the IPv6 stack forwards them. */
    void InjectTunnel(uint32_t ifindex, Ptr<const Packet> p);
    /* Called by the route bus (session loss) and by the iBGP socket. */
    void RouteUpdate(bool add, aero_prefix p, aero_peer server);
    /* Send one iBGP UPDATE to a peer's locator address (false: not sent). */
    bool SendIbgp(const aero_loc& to, const std::vector<uint8_t>& msg);
    aero_peer GetPeer() const;

    /* One line of log from the core (level as syslog). */
    typedef void (*CoreEventCallback)(Ptr<AeroApplication> app, const aero_event& ev);

  protected:
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;

    bool CreateCore();
    void OpenSocket();
    void CloseSockets();
    Ptr<Socket> SocketFor(uint16_t port);
    void HandleRead(Ptr<Socket> s);
    void HandleIbgp(Ptr<Socket> s);
    bool AeroSend(Ptr<Packet> p, const Address& src, const Address& dst,
                  uint16_t proto, uint32_t ifindex);
    void TunnelIn(uint32_t ifindex, const std::vector<uint8_t>& pkt);
    void Timeout();
    void Drain();
    void Rearm();
    void SendUnderlay(const aero_out& o);
    void DeliverUp(const aero_out& o);
    void HandleEvent(const aero_event& ev);
    void AnswerName(std::string name);
    uint32_t Ipv6IfFor(uint32_t ifindex) const;
    void ApplyRoute(const aero_event& ev, bool add);
    void ApplyAddr(const aero_event& ev, bool add);
    void RemoveHostConfig();
    static void CoreRand(uint8_t* dst, size_t len, void* user);
    static void CoreLog(int level, const char* msg, void* user);

    aero_config m_cfg;
    aero_node* m_core = nullptr;
    bool m_running = false;
    bool m_started = false;
    int m_depth = 0;
    std::deque<std::pair<uint32_t, std::vector<uint8_t>>> m_pending;
    std::string m_name;
    Ptr<Socket> m_socket;
    Ptr<Socket> m_ibgp; /* Servers/Relays: the iBGP socket (port 179) */
    std::map<uint16_t, Ptr<Socket>> m_extraSockets;
    Ptr<VirtualNetDevice> m_aero;
    std::vector<Ptr<VirtualNetDevice>> m_downstream;
    std::map<uint32_t, Ptr<NetDevice>> m_lans;
    Ptr<AeroNameTable> m_names;
    Ptr<AeroRouteBus> m_bus;
    Ptr<UniformRandomVariable> m_rng;
    EventId m_timer;
    Time m_timerAt;
    /* host configuration applied from events, undone on crash */
    std::vector<aero_event> m_addrs;
    std::vector<aero_event> m_routes;

    /* attributes */
    Time m_reachableTime, m_retransTimer, m_forwardTime, m_acceptTime,
        m_keepaliveTime, m_nameDelay;
    uint32_t m_maxRetry;
    bool m_dropEvents;

    /* trace sources */
    TracedCallback<Ptr<AeroApplication>, const aero_event&> m_evTrace;
    TracedCallback<Ptr<AeroApplication>, const aero_event&> m_prefixTrace;
    TracedCallback<Ptr<AeroApplication>, const aero_event&> m_routeTrace;
    TracedCallback<Ptr<AeroApplication>, const aero_event&> m_neighborTrace;
    TracedCallback<Ptr<AeroApplication>, const aero_event&> m_roTrace;
    TracedCallback<Ptr<AeroApplication>, const aero_event&> m_handoverTrace;
    TracedCallback<Ptr<AeroApplication>, const aero_event&> m_dropTrace;
    TracedCallback<Ptr<const Packet>> m_underlayTx, m_underlayRx;
    TracedCallback<Ptr<const Packet>> m_tunnelTx, m_tunnelRx;
};

} // namespace ns3

#endif
