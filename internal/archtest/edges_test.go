package archtest

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestCoreKnowsNoEdge: the router assembles channels from the deciders and
// must stay as blind to the platform as they are, so the console, replay
// and Twitch all run it unchanged; the small packages everyone uses import
// no other package of the module at all. The arrows go from the edges
// (cmd/bot, twitch, console, replay — which reads raw IRC lines through
// the twitch package, as a source does) to the core, never back.
func TestCoreKnowsNoEdge(t *testing.T) {
	m := loadModule(t)
	edges := []string{twitchIRC, viper, m.path + "/internal/twitch", m.path + "/internal/console", m.path + "/cmd"}
	for _, dir := range []string{"internal/router", "internal/answer", "internal/moderation", "internal/escalation", "internal/question", "internal/feedback"} {
		if m.pkgs[dir] == nil {
			t.Errorf("%s not found; is the test looking at the right tree?", dir)
			continue
		}
		deps := m.deps(dir)
		for _, ip := range slices.Sorted(maps.Keys(deps)) {
			if slices.ContainsFunc(edges, func(bad string) bool { return isUnder(ip, bad) }) {
				t.Errorf("%s imports %s (via %s); the core must not know the edges", dir, ip, strings.Join(deps[ip], " → "))
			}
		}
	}
	for _, dir := range []string{"internal/atomicfile", "internal/chat"} {
		pk := m.pkgs[dir]
		if pk == nil {
			t.Errorf("%s not found", dir)
			continue
		}
		for ip, file := range pk.imports {
			if _, ok := m.local(ip); ok {
				t.Errorf("%s imports %s; want %s to import no other package of the module", file, ip, dir)
			}
		}
	}
}
