using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Switchboard.Common.Persistence;

/// <summary>Stores an enum as its lower-case name, so the database reads like the API.</summary>
internal sealed class LowercaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    v => v.ToString().ToLowerInvariant(),
    v => Enum.Parse<TEnum>(v, true))
    where TEnum : struct, Enum;
