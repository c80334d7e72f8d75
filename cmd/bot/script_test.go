package main

// The CLI tested as a user types it: each file in testdata/script is a
// testscript (github.com/rogpeppe/go-internal/testscript) of bot commands
// and the output a user would look for, as FiloSottile/age tests its CLI.
//
//	go test ./cmd/bot -run TestScripts -v
//	go test ./cmd/bot -run TestScripts/replay -v   # one script
//
// In a script:
//
//   - exec bot ARGS          runs the real program: this test binary, started
//     as "bot", goes through main (signals, run, exit code), so what the
//     script sees is what a user's shell sees.
//   - exitcode N bot ARGS    runs it like exec and wants exit status N.
//     testscript's own "! exec" only knows zero from non-zero, and the bot's
//     codes mean different things: 2 is bad input (config, FAQ, command
//     line) found before anything started, 1 a failure while running. Use
//     exitcode wherever the difference matters to the user, "! exec" never.
//   - stdin FILE             feeds FILE to the next command (the console
//     reads chat lines from it; with no stdin line the input is empty).
//
// Every script starts in its own work dir ($WORK) holding a copy of the
// repository's config.yaml and faq/ (a file the script's archive brings
// takes their place). The shipped config keeps its data under data/, so
// tickets and the event log stay inside $WORK. The environment is
// testscript's minimal one, plus what setupScript adds: no CHATDESK_*
// variable of the machine reaches a script except CHATDESK_TEST_*; the
// health and metrics endpoint is off, so parallel scripts never fight
// over a port; and every Twitch address points at 127.0.0.1:1, so a
// script that sets a token by mistake fails fast instead of reaching the
// network.

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	// "bot" is main itself: the same signal handling, error printing and
	// exit code as the installed binary.
	testscript.Main(m, map[string]func(){"bot": main})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		Setup:               setupScript,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exitcode": cmdExitcode},
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	})
}

// repoRoot is the top of the repository, where the shipped config.yaml and
// faq/ live.
const repoRoot = "../.."

// scriptEnv is what every script's environment has on top of testscript's.
var scriptEnv = []string{
	// No /metrics and /healthz: the shipped 127.0.0.1:8080 would collide
	// between scripts running in parallel and with a bot the developer runs.
	"CHATDESK_HTTP_ADDR=",
	// Nowhere to go: a script never reaches Twitch.
	"CHATDESK_TWITCH_IRC_ADDRESS=127.0.0.1:1",
	"CHATDESK_TWITCH_TLS=false",
	"CHATDESK_TWITCH_API_URL=http://127.0.0.1:1/helix",
	"CHATDESK_TWITCH_AUTH_URL=http://127.0.0.1:1/oauth2",
}

func setupScript(env *testscript.Env) error {
	// testscript starts from an empty environment; be explicit anyway that
	// the bot's own variables come from here only.
	vars := env.Vars[:0]
	for _, kv := range env.Vars {
		if !strings.HasPrefix(kv, "CHATDESK_") || strings.HasPrefix(kv, "CHATDESK_TEST_") {
			vars = append(vars, kv)
		}
	}
	env.Vars = vars
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CHATDESK_TEST_") {
			env.Vars = append(env.Vars, kv)
		}
	}
	env.Vars = append(env.Vars, scriptEnv...)
	// Under -race every bot process sleeps a second before it exits, to
	// let other goroutines report; a hundred invocations would wait a
	// minute and a half for nothing. A race still fails its script: the
	// process exits 66.
	if gorace := os.Getenv("GORACE"); !strings.Contains(gorace, "atexit_sleep_ms") {
		env.Setenv("GORACE", strings.TrimSpace(gorace+" atexit_sleep_ms=10"))
	}

	if err := copyIfAbsent(filepath.Join(repoRoot, "config.yaml"), filepath.Join(env.WorkDir, "config.yaml")); err != nil {
		return err
	}
	faqs, err := filepath.Glob(filepath.Join(repoRoot, "faq", "*.yaml"))
	if err != nil {
		return err
	}
	for _, f := range faqs {
		if err := copyIfAbsent(f, filepath.Join(env.WorkDir, "faq", filepath.Base(f))); err != nil {
			return err
		}
	}
	return nil
}

// copyIfAbsent copies a repository file into a script's work dir unless
// the script brings its own.
func copyIfAbsent(from, to string) error {
	if _, err := os.Stat(to); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// cmdExitcode is "exitcode N program [args...]": exec that wants exit
// status N. Its stdout and stderr are there for the assertions after it.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode (say which code)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d; want %d", args[1], got, want)
	}
}
