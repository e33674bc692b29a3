/*
 * sim-adapter/aero-channel.h -- the link models of aero-sim that ns-3 3.37
 * lacks:
 *
 *  - AeroSegmentChannel: a SimpleChannel (one broadcast segment) that
 *    delivers unicast frames only to the device owning the destination MAC
 *    (ns-3's SimpleChannel schedules every frame at every attached device
 *    and lets each one filter: 1000 Clients on one segment cost 1000
 *    events per unicast frame), with the scenario's jitter: each frame is
 *    held delay + U(-jitter, +jitter) (clamped at 0), drawn once per frame
 *    as the emulation's aero-impair does; like there, frames may overtake
 *    each other when the jitter exceeds their spacing.
 *  - AeroRangeLossModel: the MANET loss model. Beyond MaxRange nothing is
 *    received; within it a frame is lost with probability
 *    LossAtRange * distance / MaxRange (0 next to the sender, LossAtRange
 *    at the range edge; the CORE export's WLAN "error" is the same ramp's
 *    value at half range), drawn per frame and receiver.
 */
#ifndef AERO_SIM_AERO_CHANNEL_H
#define AERO_SIM_AERO_CHANNEL_H

#include "ns3/mac48-address.h"
#include "ns3/nstime.h"
#include "ns3/propagation-loss-model.h"
#include "ns3/random-variable-stream.h"
#include "ns3/simple-channel.h"
#include "ns3/simple-net-device.h"

#include <map>

namespace ns3
{

class AeroSegmentChannel : public SimpleChannel
{
  public:
    static TypeId GetTypeId();
    AeroSegmentChannel();
    void Send(Ptr<Packet> p, uint16_t protocol, Mac48Address to, Mac48Address from,
              Ptr<SimpleNetDevice> sender) override;
    void Add(Ptr<SimpleNetDevice> device) override;
    int64_t AssignStreams(int64_t stream);
    uint64_t GetFrames() const { return m_frames; }

  private:
    Time m_delay, m_jitter;
    Ptr<UniformRandomVariable> m_rng;
    std::vector<Ptr<SimpleNetDevice>> m_all;
    std::map<Mac48Address, Ptr<SimpleNetDevice>> m_byMac;
    uint64_t m_frames = 0;
};

class AeroRangeLossModel : public PropagationLossModel
{
  public:
    static TypeId GetTypeId();
    AeroRangeLossModel();

  private:
    double DoCalcRxPower(double txPowerDbm, Ptr<MobilityModel> a,
                         Ptr<MobilityModel> b) const override;
    int64_t DoAssignStreams(int64_t stream) override;
    double m_range = 250;
    double m_lossAtRange = 0;
    Ptr<UniformRandomVariable> m_rng;
};

} // namespace ns3

#endif
