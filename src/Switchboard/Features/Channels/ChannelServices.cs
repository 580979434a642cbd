using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Channels;

/// <summary>What connecting a number and rotating its credentials need; their endpoints take it with <c>[AsParameters]</c>.</summary>
internal readonly record struct ChannelServices(SwitchboardDbContext Db, ChannelChanges Changes, Sealer Sealer, MetaPhoneNumbers Numbers, TimeProvider Clock);

/// <summary>What revoking a channel and setting its throughput need, with the view their answers render; their endpoints take it with <c>[AsParameters]</c>.</summary>
internal readonly record struct ChannelStateServices(SwitchboardDbContext Db, ChannelChanges Changes, ChannelView View, TimeProvider Clock);
