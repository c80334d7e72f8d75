package main

import (
	"strings"
	"testing"
)

// A console session that files a ticket is in the stream report: its
// messages, questions and answers, not only the ticket.
func TestConsoleSessionIsInTheReport(t *testing.T) {
	path := writeConfig(t, "bot: {data_dir: data}\nchannels: [{name: mira, faq: [FAQ]}]\n")
	o := invoke(t, nil, strings.Join([]string{
		"zed: hi chat",
		"ana: what colour is the teapot?",
		"bob: !ask is there a stream on monday?",
		"",
	}, "\n"), "--config", path)
	if o.err != nil {
		t.Fatalf("run: %v\n%s", o.err, o.stderr)
	}
	r := invoke(t, nil, "", "report", "--config", path, "--format", "md")
	if r.err != nil {
		t.Fatalf("report: %v\n%s", r.err, r.stderr)
	}
	for _, want := range []string{"| messages | 3 |", "| questions | 2 |"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
}
