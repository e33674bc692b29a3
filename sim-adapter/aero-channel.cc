/*
 * sim-adapter/aero-channel.cc -- AeroSegmentChannel, AeroRangeLossModel
 * (see aero-channel.h).
 */
#include "aero-channel.h"

#include "ns3/double.h"
#include "ns3/mobility-model.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"

#include <algorithm>

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(AeroSegmentChannel);
NS_OBJECT_ENSURE_REGISTERED(AeroRangeLossModel);

TypeId
AeroSegmentChannel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::AeroSegmentChannel")
            .SetParent<SimpleChannel>()
            .AddConstructor<AeroSegmentChannel>()
            .AddAttribute("SegmentDelay",
                          "One-way delay of the segment",
                          TimeValue(Time(0)),
                          MakeTimeAccessor(&AeroSegmentChannel::m_delay),
                          MakeTimeChecker())
            .AddAttribute("Jitter",
                          "Each frame is held Delay + U(-Jitter, +Jitter), at least 0",
                          TimeValue(Time(0)),
                          MakeTimeAccessor(&AeroSegmentChannel::m_jitter),
                          MakeTimeChecker());
    return tid;
}

AeroSegmentChannel::AeroSegmentChannel()
{
    m_rng = CreateObject<UniformRandomVariable>();
}

int64_t
AeroSegmentChannel::AssignStreams(int64_t stream)
{
    m_rng->SetStream(stream);
    return 1;
}

void
AeroSegmentChannel::Add(Ptr<SimpleNetDevice> device)
{
    SimpleChannel::Add(device);
    m_all.push_back(device);
    m_byMac[Mac48Address::ConvertFrom(device->GetAddress())] = device;
}

void
AeroSegmentChannel::Send(Ptr<Packet> p, uint16_t protocol, Mac48Address to, Mac48Address from,
                         Ptr<SimpleNetDevice> sender)
{
    m_frames++;
    Time d = m_delay;
    if (m_jitter.IsStrictlyPositive())
    {
        double j = m_rng->GetValue(-1.0, 1.0) * (double)m_jitter.GetNanoSeconds();
        d = NanoSeconds(std::max<int64_t>(0, m_delay.GetNanoSeconds() + (int64_t)j));
    }
    auto deliver = [&](const Ptr<SimpleNetDevice>& dev) {
        Simulator::ScheduleWithContext(dev->GetNode()->GetId(), d, &SimpleNetDevice::Receive,
                                       dev, p->Copy(), protocol, to, from);
    };
    if (!to.IsGroup() && !to.IsBroadcast())
    {
        auto it = m_byMac.find(to);
        if (it != m_byMac.end() && it->second != sender)
        {
            deliver(it->second);
        }
        return;
    }
    for (auto& dev : m_all)
    {
        if (dev != sender)
        {
            deliver(dev);
        }
    }
}

TypeId
AeroRangeLossModel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::AeroRangeLossModel")
            .SetParent<PropagationLossModel>()
            .AddConstructor<AeroRangeLossModel>()
            .AddAttribute("MaxRange",
                          "Nothing is received beyond this distance (m)",
                          DoubleValue(250.0),
                          MakeDoubleAccessor(&AeroRangeLossModel::m_range),
                          MakeDoubleChecker<double>(0.0))
            .AddAttribute("LossAtRange",
                          "Frame loss probability at MaxRange (linear in the distance)",
                          DoubleValue(0.0),
                          MakeDoubleAccessor(&AeroRangeLossModel::m_lossAtRange),
                          MakeDoubleChecker<double>(0.0, 1.0));
    return tid;
}

AeroRangeLossModel::AeroRangeLossModel()
{
    m_rng = CreateObject<UniformRandomVariable>();
}

double
AeroRangeLossModel::DoCalcRxPower(double txPowerDbm, Ptr<MobilityModel> a,
                                  Ptr<MobilityModel> b) const
{
    double d = a->GetDistanceFrom(b);
    if (d > m_range)
    {
        return -1000;
    }
    if (m_lossAtRange > 0 && m_range > 0 && m_rng->GetValue() < m_lossAtRange * d / m_range)
    {
        return -1000;
    }
    return txPowerDbm;
}

int64_t
AeroRangeLossModel::DoAssignStreams(int64_t stream)
{
    m_rng->SetStream(stream);
    return 1;
}

} // namespace ns3
