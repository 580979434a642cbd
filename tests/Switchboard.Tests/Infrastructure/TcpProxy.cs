using System.Net;
using System.Net.Sockets;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder in front of the test PostgreSQL server that a test can cut and restore, to see how
/// Switchboard behaves while its database is unreachable — without stopping the server other tests use.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly string targetHost;
    private readonly int targetPort;
    private readonly List<TcpClient> open = [];
    private TcpListener? listener;
    private CancellationTokenSource? running;

    public TcpProxy(string targetHost, int targetPort)
    {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }

    public void Start()
    {
        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        running = new CancellationTokenSource();
        _ = AcceptAsync(listener, running.Token);
    }

    /// <summary>Refuses new connections and drops the open ones, like a database host going away.</summary>
    public void Stop()
    {
        running?.Cancel();
        listener?.Stop();
        lock (open)
        {
            foreach (var client in open)
            {
                try
                {
                    client.Client?.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }

                client.Dispose();
            }

            open.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener server, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await server.AcceptTcpClientAsync(ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ForwardAsync(inbound, ct);
        }
    }

    private async Task ForwardAsync(TcpClient inbound, CancellationToken ct)
    {
        var outbound = new TcpClient();
        lock (open)
        {
            open.Add(inbound);
            open.Add(outbound);
        }

        try
        {
            await outbound.ConnectAsync(targetHost, targetPort, ct);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, ct), b.CopyToAsync(a, ct));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (open)
            {
                open.Remove(inbound);
                open.Remove(outbound);
            }

            inbound.Dispose();
            outbound.Dispose();
        }
    }
}
