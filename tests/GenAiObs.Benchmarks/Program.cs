// Runs any benchmark of this assembly: dotnet run -c Release --project tests/GenAiObs.Benchmarks -- --filter '*'
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(GenAiObs.Benchmarks.StoreWorkload).Assembly).Run(args);
