package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A learned file (data/learned/<channel>.yaml) that no longer loads — a
// streamer's edit gone wrong — is bad input at start, named by file and
// line; while the bot runs it makes !learn refuse, and nothing else.

const brokenLearned = "entries:\n  - id: learned-1\n    questions: [what keyboard\n    answer: x\n"

func TestBrokenLearnedFileAtStart(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		make       func(path string) error
	}{
		{"bad yaml", "learned/mira.yaml:3: ", func(path string) error { return os.WriteFile(path, []byte(brokenLearned), 0o644) }},
		{"binary", "learned/mira.yaml:1: ", func(path string) error { return os.WriteFile(path, []byte("\x00\xff\xfe"), 0o644) }},
		{"empty", "learned/mira.yaml:1: ", func(path string) error { return os.WriteFile(path, nil, 0o644) }},
		{"a directory", "learned/mira.yaml: is a directory", func(path string) error { return os.Mkdir(path, 0o755) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := writeConfig(t, "bot: {data_dir: data}\nchannels: [{name: mira, faq: [FAQ]}]\n")
			path := filepath.Join(filepath.Dir(config), "data", "learned", "mira.yaml")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"check"}, {"run"}} {
				o := invoke(t, nil, "ana: hi\n", append(args, "--config", config)...)
				if o.code() != exitBadInput || !strings.Contains(o.err.Error(), tc.want) {
					t.Errorf("%s = exit %d, %v; want 2 naming %q", args[0], o.code(), o.err, tc.want)
				}
				if strings.Contains(o.stderr, "goroutine") || strings.Contains(o.stderr, "panic") {
					t.Errorf("%s: stderr %q", args[0], o.stderr)
				}
			}
		})
	}
}

// hook runs fn when the reader before it is used up, then gives way to the
// next: io.MultiReader(a, hook(fn), b) does fn between a and b.
type hook func()

func (h hook) Read([]byte) (int, error) {
	h()
	return 0, io.EOF
}

func TestBrokenLearnedFileWhileRunning(t *testing.T) {
	config := writeConfig(t, "bot: {data_dir: data}\nanswer: {reload_interval: 0s}\nchannels: [{name: mira, faq: [FAQ]}]\n")
	path := filepath.Join(filepath.Dir(config), "data", "learned", "mira.yaml")
	breakIt := func() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Error(err)
		}
		if err := os.WriteFile(path, []byte(brokenLearned), 0o644); err != nil {
			t.Error(err)
		}
	}
	stdin := io.MultiReader(
		strings.NewReader("ana: !ask is the merch store open on weekends?\n@mod kim: !answer 1 yes, Sat and Sun\n"),
		hook(breakIt),
		strings.NewReader("@mod kim: !learn 1\nbob: what colour is the teapot?\n"),
	)
	var stdout, stderr strings.Builder
	a := &app{stdin: stdin, stdout: &stdout, stderr: &stderr}
	if err := a.execute(t.Context(), []string{"run", "--config", config}); err != nil {
		t.Fatalf("run = %v; want the channel to go on\n%s", err, stderr.String())
	}
	want := "chatdesk ↪ @kim: couldn't add #1: the FAQ files do not load as they are (the bot's log says which line) — fix them, then !learn 1 again"
	if !strings.Contains(stdout.String(), want+"\n") {
		t.Errorf("console:\n%s\nwant %q", stdout.String(), want)
	}
	// The channel still answers from the FAQ it had.
	if !strings.Contains(stdout.String(), "chatdesk ↪ @bob: ") {
		t.Errorf("console:\n%s\nwant bob answered after the refusal", stdout.String())
	}
	if !strings.Contains(stderr.String(), "learned/mira.yaml:3") {
		t.Errorf("log:\n%s\nwant the file and line", stderr.String())
	}
	if data, _ := os.ReadFile(path); string(data) != brokenLearned {
		t.Errorf("the broken learned file was changed:\n%s", data)
	}
}
