using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// A real S3-compatible server for the <c>s3</c> media store (ADR 0061): the npm package s3rver, run by Node.js (Debian's
/// nodejs and npm, which scripts/test.sh installs), with one bucket, over HTTP on a free port. The package is installed
/// once into the repository's .tools folder. Without Node.js the tests that need it fail, saying so.
/// </summary>
public sealed class S3rver : IAsyncDisposable
{
    public const string Version = "3.7.1";
    public const string Bucket = "switchboard-media";

    /// <summary>s3rver's fixed credentials.</summary>
    private const string Key = "S3RVER";

    private static readonly SemaphoreSlim Installing = new(1, 1);

    private readonly string directory;
    private readonly Process process;
    private readonly System.Text.StringBuilder errors = new();

    private S3rver(Process process, int port, string directory)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
        Client = new AmazonS3Client(new BasicAWSCredentials(Key, Key), new AmazonS3Config { ServiceURL = Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A client of its own, to look into the bucket as an operator would.</summary>
    public AmazonS3Client Client { get; }

    public static async Task<S3rver> StartAsync()
    {
        var node = Node();
        var script = await InstallAsync(node);
        var port = SwitchboardProcess.FreePort();
        var data = Path.Combine(Path.GetTempPath(), "switchboard-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var start = new ProcessStartInfo(node) { RedirectStandardOutput = false, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, "--directory", data, "--address", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--silent", "--no-vhost-buckets", "--configure-bucket", Bucket })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var server = new S3rver(process, port, data);
        process.ErrorDataReceived += (_, line) =>
        {
            lock (server.errors)
            {
                server.errors.AppendLine(line.Data);
            }
        };
        process.BeginErrorReadLine();
        await server.WaitUntilAnsweringAsync();
        return server;
    }

    /// <summary>What points the <c>s3</c> store at this server's bucket.</summary>
    public Dictionary<string, string?> Settings(string prefix = "") => new()
    {
        ["Switchboard:Media:Store"] = "s3",
        ["Switchboard:Media:S3:ServiceUrl"] = Url,
        ["Switchboard:Media:S3:Bucket"] = Bucket,
        ["Switchboard:Media:S3:Region"] = "us-east-1",
        ["Switchboard:Media:S3:AccessKey"] = Key,
        ["Switchboard:Media:S3:SecretKey"] = Key,
        ["Switchboard:Media:S3:ForcePathStyle"] = "true",
        ["Switchboard:Media:S3:Prefix"] = prefix,
    };

    /// <summary>Every key in the bucket under this prefix, listed through the S3 API.</summary>
    public async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await Client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return keys;
    }

    public async Task<byte[]> ReadAsync(string key)
    {
        using var response = await Client.GetObjectAsync(Bucket, key);
        using var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Node()
    {
        foreach (var folder in new[] { "/usr/bin" }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)))
        {
            var candidate = Path.Combine(folder, "node");
            if (folder.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "Node.js was not found: the s3 media store tests run s3rver, an S3-compatible server, on it. Install Debian's nodejs and npm packages (scripts/test.sh does).");
    }

    /// <summary>Installs s3rver into .tools/s3rver once (npm, from the registry), one process at a time; returns its command's path.</summary>
    private static async Task<string> InstallAsync(string node)
    {
        var folder = Path.Combine(RepositoryRoot(), ".tools", "s3rver-" + Version);
        var script = Path.Combine(folder, "node_modules", "s3rver", "bin", "s3rver.js");
        await Installing.WaitAsync();
        try
        {
            Directory.CreateDirectory(folder);
            await using var exclusive = await LockAsync(Path.Combine(folder, ".lock"));
            if (File.Exists(script))
            {
                return script;
            }

            var npm = Path.Combine(Path.GetDirectoryName(node)!, "npm");
            if (!File.Exists(npm))
            {
                throw new InvalidOperationException($"npm was not found beside {node}: install Debian's npm package (scripts/test.sh does) to fetch s3rver {Version}.");
            }

            var start = new ProcessStartInfo(npm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "install", "--no-audit", "--no-fund", "--prefix", folder, "s3rver@" + Version })
            {
                start.ArgumentList.Add(argument);
            }

            using var install = Process.Start(start)!;
            var output = install.StandardOutput.ReadToEndAsync();
            var errors = install.StandardError.ReadToEndAsync();
            await install.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            if (install.ExitCode != 0 || !File.Exists(script))
            {
                throw new InvalidOperationException($"npm install s3rver@{Version} failed ({install.ExitCode}): {await output}{await errors}");
            }

            return script;
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>A file lock, so that two test processes do not install at once.</summary>
    private static async Task<FileStream> LockAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                await Task.Delay(500);
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Switchboard.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Switchboard.slnx) was not found above " + AppContext.BaseDirectory);
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                lock (errors)
                {
                    throw new InvalidOperationException($"s3rver exited ({process.ExitCode}) before answering: {errors}");
                }
            }

            try
            {
                // Any answer will do: the bucket is configured before the server listens.
                using var response = await http.GetAsync($"{Url}/{Bucket}");
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                await DisposeAsync();
                throw new InvalidOperationException($"s3rver did not answer on {Url} within 30 s.");
            }

            await Task.Delay(100);
        }
    }
}
