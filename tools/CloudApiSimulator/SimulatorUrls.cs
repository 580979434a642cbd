namespace CloudApiSimulator;

/// <summary>Where the simulator is mounted (standalone at "/", or under "/simulator" inside the demo).</summary>
public sealed class SimulatorUrls(string prefix)
{
    public string Prefix { get; } = prefix.TrimEnd('/');

    public string MediaDownload(HttpContext http, string id) => $"{http.Request.Scheme}://{http.Request.Host}{Prefix}/media/{id}";
}
