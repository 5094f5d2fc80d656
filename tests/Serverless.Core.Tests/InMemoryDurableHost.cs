using System.Net;
using System.Net.Sockets;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace Serverless.Core.Tests;

/// <summary>
/// The in-memory durable engine of the orchestration tests, on a port the system just handed out. Left to itself the
/// test host picks a random port between 30,000 and 40,000 without checking it, and CI runs these tests beside the
/// integration tests' DevHosts, whose ports come from the same range: one CI run failed on a port already in use.
/// A port can still be taken between choosing and binding it, so a bind that fails is tried again on another.
/// </summary>
public static class InMemoryDurableHost
{
    public static async Task<DurableTaskTestHost> StartAsync(Action<DurableTaskRegistry> registry)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DurableTaskTestHost.StartAsync(registry, new DurableTaskTestHostOptions { Port = FreePort() });
            }
            catch (IOException e) when (InUse(e) && attempt < 5)
            {
                // Taken meanwhile by another process: another port.
            }
        }
    }

    private static bool InUse(Exception? e) =>
        e is not null && ((e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }) || InUse(e.InnerException));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
