// Command gen writes Ringdesk's local sounds (package
// assets/sounds/internal/synth) as WAV files into a folder, by default
// the current one:
//
//	go generate ./assets/sounds   (runs: go run ./gen)
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ringdesk/ringdesk/assets/sounds/internal/synth"
)

func main() {
	out := flag.String("out", ".", "folder to write the WAV files into")
	flag.Parse()
	for name, samples := range synth.Sounds() {
		path := filepath.Join(*out, name)
		if err := os.WriteFile(path, synth.WAV(samples), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: %.1f s\n", path, float64(len(samples))/synth.Rate)
	}
}
