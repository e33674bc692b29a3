/*
 * sim-adapter/aero-helper.cc -- AeroHelper (see aero-helper.h).
 */
#include "aero-helper.h"

#include "ns3/ipv4-l3-protocol.h"
#include "ns3/ipv6-l3-protocol.h"
#include "ns3/ipv6.h"
#include "ns3/loopback-net-device.h"
#include "ns3/mac48-address.h"
#include "ns3/names.h"
#include "ns3/pcap-file.h"
#include "ns3/simulator.h"
#include "ns3/trace-helper.h"
#include "ns3/uinteger.h"

namespace ns3
{

uint32_t AeroHelper::s_snapLen = 256;

AeroHelper::AeroHelper()
{
    m_factory.SetTypeId(AeroApplication::GetTypeId());
}

void
AeroHelper::SetAttribute(const std::string& name, const AttributeValue& value)
{
    m_factory.Set(name, value);
}

static Ptr<VirtualNetDevice>
NewTunnelDevice(Ptr<Node> node, uint16_t mtu)
{
    Ptr<VirtualNetDevice> dev = CreateObject<VirtualNetDevice>();
    dev->SetAddress(Mac48Address::Allocate());
    dev->SetNeedsArp(false);
    dev->SetSupportsSendFrom(false);
    dev->SetMtu(mtu);
    node->AddDevice(dev);
    Ptr<Ipv6> ipv6 = node->GetObject<Ipv6>();
    NS_ABORT_MSG_IF(!ipv6, "AeroHelper: install the Internet stack first");
    uint32_t i = ipv6->AddInterface(dev);
    ipv6->SetMetric(i, 1);
    /* a router-like interface for ns-3: its IPv6 stack then sends no RS of
     * its own on it (the core does RS/RA; and ns-3 3.37 crashes when a
     * delayed RS leaves after the core removed its source address) */
    ipv6->SetForwarding(i, true);
    ipv6->SetUp(i);
    return dev;
}

Ptr<AeroApplication>
AeroHelper::Install(Ptr<Node> node, const aero_config& cfg, const std::string& name) const
{
    Ptr<AeroApplication> app = m_factory.Create<AeroApplication>();
    app->SetNodeName(name);
    app->SetConfig(cfg);
    app->SetAeroDevice(NewTunnelDevice(node, cfg.mtu ? cfg.mtu : 1280));
    if (cfg.role == AERO_ROLE_CLIENT && cfg.model != AERO_MODEL_HOST)
    {
        for (unsigned k = 0; k < cfg.n_downstream; k++)
        {
            app->AddDownstreamDevice(NewTunnelDevice(node, 1500));
        }
    }
    app->SetNameTable(m_names);
    app->SetRouteBus(m_bus);
    if (m_bus && (cfg.role == AERO_ROLE_SERVER || cfg.role == AERO_ROLE_RELAY))
    {
        m_bus->Join(app);
    }
    node->AddApplication(app);
    return app;
}

ApplicationContainer
AeroHelper::Install(NodeContainer c, aero_role role, ConfigFn fn) const
{
    ApplicationContainer apps;
    for (auto it = c.Begin(); it != c.End(); ++it)
    {
        aero_config cfg;
        aero_config_default(&cfg, role);
        fn(*it, cfg);
        std::string name = Names::FindName(*it);
        if (name.empty())
        {
            name = "node" + std::to_string((*it)->GetId());
        }
        apps.Add(Install(*it, cfg, name));
    }
    return apps;
}

static void
WritePcap(Ptr<PcapFileWrapper> f, Ptr<const Packet> p)
{
    f->Write(Simulator::Now(), p);
}

static bool
IsUnderlayDevice(Ptr<NetDevice> d)
{
    return d && !DynamicCast<LoopbackNetDevice>(d) && !DynamicCast<VirtualNetDevice>(d);
}

static void
V4Trace(Ptr<PcapFileWrapper> f, Ptr<const Packet> p, Ptr<Ipv4> ip, uint32_t i)
{
    if (IsUnderlayDevice(ip->GetNetDevice(i)))
    {
        WritePcap(f, p);
    }
}

static void
V6Trace(Ptr<PcapFileWrapper> f, Ptr<const Packet> p, Ptr<Ipv6> ip, uint32_t i)
{
    if (IsUnderlayDevice(ip->GetNetDevice(i)))
    {
        WritePcap(f, p);
    }
}

void
AeroHelper::EnablePcapUnderlay(const std::string& dir, Ptr<Node> node, const std::string& name)
{
    PcapHelper ph;
    Ptr<PcapFileWrapper> f =
        ph.CreateFile(dir + "/" + name + "-underlay.pcap", std::ios::out, PcapHelper::DLT_RAW,
                      s_snapLen);
    if (Ptr<Ipv4L3Protocol> v4 = node->GetObject<Ipv4L3Protocol>())
    {
        v4->TraceConnectWithoutContext("Tx", MakeBoundCallback(&V4Trace, f));
        v4->TraceConnectWithoutContext("Rx", MakeBoundCallback(&V4Trace, f));
    }
    if (Ptr<Ipv6L3Protocol> v6 = node->GetObject<Ipv6L3Protocol>())
    {
        v6->TraceConnectWithoutContext("Tx", MakeBoundCallback(&V6Trace, f));
        v6->TraceConnectWithoutContext("Rx", MakeBoundCallback(&V6Trace, f));
    }
}

void
AeroHelper::EnablePcap(const std::string& dir, Ptr<AeroApplication> app, bool underlay, bool aero)
{
    if (underlay)
    {
        EnablePcapUnderlay(dir, app->GetNode(), app->GetNodeName());
    }
    if (aero && app->GetAeroDevice())
    {
        PcapHelper ph;
        Ptr<PcapFileWrapper> f = ph.CreateFile(dir + "/" + app->GetNodeName() + "-aero.pcap",
                                               std::ios::out,
                                               PcapHelper::DLT_RAW,
                                               s_snapLen);
        /* what crosses the AERO interface between the IPv6 stack and the
         * core (the host stack's own ND, which the adapter keeps off the
         * AERO link, is not in it) */
        app->TraceConnectWithoutContext("TunnelTx", MakeBoundCallback(&WritePcap, f));
        app->TraceConnectWithoutContext("TunnelRx", MakeBoundCallback(&WritePcap, f));
    }
}

void
AeroHelper::EnablePcap(const std::string& dir, ApplicationContainer apps)
{
    for (auto it = apps.Begin(); it != apps.End(); ++it)
    {
        Ptr<AeroApplication> a = DynamicCast<AeroApplication>(*it);
        if (a)
        {
            EnablePcap(dir, a, true, true);
        }
    }
}

} // namespace ns3
