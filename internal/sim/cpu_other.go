//go:build !unix

package sim

import "runtime/metrics"

// processCPU is the runtime's estimate of the CPU time Go code has used
// (it is refreshed at each garbage collection, so it lags).
func processCPU() float64 {
	ss := []metrics.Sample{{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	metrics.Read(ss)
	return ss[0].Value.Float64() - ss[1].Value.Float64()
}
