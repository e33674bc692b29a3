/*
 * sim-adapter/aero-helper.h -- AeroHelper: install AERO/VET roles on ns-3
 * nodes (ns-3 helper style) and capture their interfaces.
 *
 *   AeroHelper aero;
 *   aero.SetAttribute("ReachableTime", TimeValue(Seconds(30)));
 *   aero.SetNameTable(names); aero.SetRouteBus(bus);
 *   ApplicationContainer servers = aero.Install(serverNodes, AERO_ROLE_SERVER,
 *       [](Ptr<Node> n, aero_config& c) { ... per node: self, id, pools });
 *   aero.EnablePcap("results/x/pcap", servers);
 *
 * Install gives each node an IPv6 stack interface on a new VirtualNetDevice
 * "aero0" (no ARP/ND on it: the core runs ND on the AERO link), one more
 * per downstream link of a router/hybrid Client, and an AeroApplication.
 * The node must already have the Internet stack.
 */
#ifndef AERO_SIM_AERO_HELPER_H
#define AERO_SIM_AERO_HELPER_H

#include "aero-application.h"

#include "ns3/application-container.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"
#include "ns3/pcap-file-wrapper.h"

#include <functional>
#include <string>

namespace ns3
{

class AeroHelper
{
  public:
    typedef std::function<void(Ptr<Node>, aero_config&)> ConfigFn;

    AeroHelper();
    /* An attribute of every AeroApplication installed from now on. */
    void SetAttribute(const std::string& name, const AttributeValue& value);
    void SetNameTable(Ptr<AeroNameTable> t) { m_names = t; }
    void SetRouteBus(Ptr<AeroRouteBus> b) { m_bus = b; }

    /* One node: cfg as given (role inside). */
    Ptr<AeroApplication> Install(Ptr<Node> node, const aero_config& cfg,
                                 const std::string& name) const;
    /* Every node of c in role; fn fills the per-node part of the config
     * (self locator, id, PRL, pools ...) over aero_config_default(role). */
    ApplicationContainer Install(NodeContainer c, aero_role role, ConfigFn fn) const;

    /* Captures in dir: <name>-aero.pcap (aero0, LINKTYPE_RAW: inner IPv6)
     * and <name>-underlay.pcap (every other IP interface of the node,
     * LINKTYPE_RAW: outer IPv4/IPv6 as sent and received). */
    static void EnablePcap(const std::string& dir, Ptr<AeroApplication> app, bool underlay,
                           bool aero);
    static void EnablePcap(const std::string& dir, ApplicationContainer apps);
    /* Bytes kept of each captured packet (default 256: every header of the
     * outer and inner packet; 65535 = whole packets). */
    static void SetSnapLen(uint32_t n) { s_snapLen = n; }
    /* Underlay capture of a node without AERO (correspondents). */
    static void EnablePcapUnderlay(const std::string& dir, Ptr<Node> node,
                                   const std::string& name);

  private:
    static uint32_t s_snapLen;
    ObjectFactory m_factory;
    Ptr<AeroNameTable> m_names;
    Ptr<AeroRouteBus> m_bus;
};

} // namespace ns3

#endif
