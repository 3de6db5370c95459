"""The demo school: a tool of the command line and the benchmarks, not of the domain. It builds a
realistic fictional collège from a seed through the services, and writes its planned population
in bulk."""
