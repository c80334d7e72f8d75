package moderation

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps moderation a core package: it decides, so it must not
// know about IRC, config files or the other stages.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{
			"github.com/gempir/go-twitch-irc", "github.com/spf13/viper",
			"github.com/chatdesk/chatdesk/internal/answer", "github.com/chatdesk/chatdesk/internal/escalation",
			"github.com/chatdesk/chatdesk/internal/twitch", "github.com/chatdesk/chatdesk/internal/router",
		} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("internal/moderation depends on %s", dep)
			}
		}
	}
}
