using System.Net.Http.Headers;

namespace GenAiObs.Adapters.Aws;

/// <summary>Turns a refused answer (status, body, headers) into the service's error.</summary>
public delegate AwsServiceException AwsErrorReader(int statusCode, string body, HttpResponseHeaders headers);
