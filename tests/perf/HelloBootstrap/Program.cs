// Hello-world custom runtime: GET next, POST a fixed response, forever (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
using System.Net.Http.Headers;

var api = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API")
    ?? throw new InvalidOperationException("AWS_LAMBDA_RUNTIME_API is not set");
using var client = new HttpClient { BaseAddress = new Uri($"http://{api}/2018-06-01/"), Timeout = Timeout.InfiniteTimeSpan };
while (true)
{
    using var next = await client.GetAsync("runtime/invocation/next", HttpCompletionOption.ResponseContentRead);
    var requestId = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").First();
    using var body = new ByteArrayContent("{\"hello\":\"world\"}"u8.ToArray());
    body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    using var posted = await client.PostAsync($"runtime/invocation/{requestId}/response", body);
}
