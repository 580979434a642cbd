namespace CloudApiSimulator;

/// <summary>The <c>Simulator</c> section: the business numbers it plays Meta for, limits, and faults.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    public List<SimulatedNumber> Numbers { get; init; } = [];

    /// <summary>Meta's default throughput per number; beyond it sends answer 130429.</summary>
    public int MessagesPerSecond { get; set; } = 80;

    /// <summary>Meta's pair limit: more than this many messages to one customer within 6 s answer 131056.</summary>
    public int PairBurst { get; set; } = 45;

    /// <summary>
    /// Load tests: answer sends for any phone number id with any token, as a number of its own (limits
    /// still apply); such numbers have no webhook URL, so they get no status webhooks.
    /// </summary>
    public bool AcceptUnknownNumbers { get; set; }

    public FaultOptions Faults { get; set; } = new();

    public StatusOptions Statuses { get; set; } = new();
}

public sealed class SimulatedNumber
{
    public string PhoneNumberId { get; set; } = "";

    public string WabaId { get; set; } = "";

    public string DisplayPhoneNumber { get; set; } = "";

    public string VerifiedName { get; set; } = "Demo Business";

    public string AppSecret { get; set; } = "";

    public string AccessToken { get; set; } = "";

    /// <summary>Where this number's webhooks go (the business's callback URL).</summary>
    public string WebhookUrl { get; set; } = "";
}

/// <summary>Faults injected into Graph API answers, each a probability between 0 and 1.</summary>
public sealed class FaultOptions
{
    public int LatencyMilliseconds { get; set; }

    public double ServerErrorRate { get; set; }

    public double TooManyRequestsRate { get; set; }

    /// <summary>Read the request, then drop the connection without answering (the outcome is unknown to the caller).</summary>
    public double DropRate { get; set; }
}

/// <summary>How the simulated phones answer each send with status webhooks.</summary>
public sealed class StatusOptions
{
    public int SentAfterMilliseconds { get; set; } = 50;

    public int DeliveredAfterMilliseconds { get; set; } = 300;

    public int ReadAfterMilliseconds { get; set; } = 1500;

    /// <summary>Share of sends that fail with a real error code (131026, undeliverable) instead of being delivered.</summary>
    public double FailRate { get; set; }

    /// <summary>Share of status webhooks sent twice, as Meta sometimes does.</summary>
    public double DuplicateRate { get; set; } = 0.05;

    /// <summary>Share of sends whose read arrives before delivered (Meta does not order webhooks).</summary>
    public double ReorderRate { get; set; } = 0.05;
}
