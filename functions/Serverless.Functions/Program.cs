using Microsoft.Extensions.Hosting;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Functions.Common;

// In Azure the caller is whoever App Service Authentication says it is; without it, anyone could send
// X-MS-CLIENT-PRINCIPAL themselves. Refuse to start rather than serve unauthenticated principals.
PlatformAuthentication.RequireInAzure(Environment.GetEnvironmentVariable);

// Composition lives in the core, so this host and the DevHost register exactly the same services.
new HostBuilder()
    .ConfigureFunctionsWebApplication(worker => worker.UseMiddleware<AuditActorMiddleware>())
    .ConfigureServices(services => services.AddServerlessCore())
    .Build()
    .Run();
