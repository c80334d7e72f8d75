package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/answer"
)

// shippedConfig is the config.yaml at the top of the repository, the one a
// streamer starts from.
const shippedConfig = "../../config.yaml"

// outcome is what one invocation of the bot left behind.
type outcome struct {
	stdout string
	stderr string
	err    error
}

// code is the exit code main would end the process with.
func (o outcome) code() int { return exitCode(o.err) }

// invoke runs the bot with args, stdin and an explicit environment, so the
// test does not depend on the machine it runs on.
func invoke(t *testing.T, env []string, stdin string, args ...string) outcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{env: env, stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr}
	err := a.execute(context.Background(), args)
	return outcome{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// lines splits output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// demoEntry returns an entry of the shipped demo FAQ, so expectations follow
// the FAQ when the streamer edits an answer.
func demoEntry(t *testing.T, id string) answer.Entry {
	t.Helper()
	entries, err := answer.LoadFAQ("../../faq/demo.yaml")
	if err != nil {
		t.Fatalf("load demo faq: %v", err)
	}
	for _, e := range entries {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("demo faq has no entry %q", id)
	return answer.Entry{}
}

func TestConsole(t *testing.T) {
	schedule := demoEntry(t, "schedule")
	discord := demoEntry(t, "discord")
	tests := []struct {
		name  string
		stdin string
		// want are the lines the bot prints, exactly; a want ending in
		// "…" only has to start the line.
		want []string
	}{
		{
			name:  "question gets a threaded answer",
			stdin: "ana: when do you stream?\n",
			want:  []string{"chatdesk ↪ @ana: " + schedule.Answer},
		},
		{
			name:  "chinese question gets the chinese answer",
			stdin: "mei: 什么时候开播？\n",
			want:  []string{"chatdesk ↪ @mei: " + schedule.AnswerIn("zh")},
		},
		{
			name:  "plain line speaks as the default viewer",
			stdin: "when do you stream?\n",
			want:  []string{"chatdesk ↪ @viewer: " + schedule.Answer},
		},
		{
			name:  "statement",
			stdin: "ana: I love this game\nana: the schedule is on the panel\n",
		},
		{
			name:  "greeting",
			stdin: "hello everyone\nhi\n",
		},
		{
			name:  "question to another viewer",
			stdin: "@bob what time is it there\n",
		},
		{
			name:  "emote",
			stdin: "LUL\nkim: LUL LUL\n",
		},
		{
			name:  "blank lines",
			stdin: "\n   \n\n",
		},
		{
			name:  "moderator asks for help",
			stdin: "@mod kim: !help\n",
			want:  []string{"chatdesk ↪ @kim: Ask me anything in plain words, or: …"},
		},
		{
			name:  "unknown command is left to other bots",
			stdin: "ana: !discord\nana: !so someone\n",
		},
		{
			name:  "faq command by id",
			stdin: "ana: !faq discord\n",
			want:  []string{"chatdesk ↪ @ana: " + discord.Answer},
		},
		{
			name:  "repeat inside the cooldown gets a pointer",
			stdin: "ana: when do you stream?\nbo: when do you stream?\n",
			want: []string{
				"chatdesk ↪ @ana: " + schedule.Answer,
				"chatdesk ↪ @bo: I answered that …",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := invoke(t, nil, tt.stdin, "--config", shippedConfig)
			if o.err != nil {
				t.Fatalf("console ended with %v; want nil at the end of input\nstderr:\n%s", o.err, o.stderr)
			}
			got := lines(o.stdout)
			if len(got) != len(tt.want) {
				t.Fatalf("console printed %d lines; want %d\ngot:\n%s", len(got), len(tt.want), o.stdout)
			}
			for i, want := range tt.want {
				if prefix, ok := strings.CutSuffix(want, "…"); ok {
					if !strings.HasPrefix(got[i], prefix) {
						t.Errorf("line %d = %q; want it to start %q", i+1, got[i], prefix)
					}
				} else if got[i] != want {
					t.Errorf("line %d = %q; want %q", i+1, got[i], want)
				}
			}
		})
	}
}

func TestConsoleHelpListsFAQ(t *testing.T) {
	o := invoke(t, nil, "@mod kim: !help\n", "run", "--config", shippedConfig)
	if o.err != nil {
		t.Fatalf("run: %v", o.err)
	}
	for _, want := range []string{"!help", "!faq"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("!help printed %q; want it to mention %s", o.stdout, want)
		}
	}
}

// TestRun goes through run itself, as main does, with the process's real
// environment (minus any chatdesk settings the machine happens to have).
func TestRun(t *testing.T) {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "CHATDESK_") && !strings.HasPrefix(name, "CHATDESK_TEST_") {
			t.Setenv(name, "") // restores the variable after the test
			os.Unsetenv(name)
		}
	}
	var stdout, stderr bytes.Buffer
	stdin := strings.NewReader("ana: when do you stream?\nhello\n")
	err := run(context.Background(), []string{"run", "--config", shippedConfig}, os.Environ(), stdin, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run = %v; want nil at the end of input\nstderr:\n%s", err, stderr.String())
	}
	want := "chatdesk ↪ @ana: " + demoEntry(t, "schedule").Answer + "\n"
	if got := stdout.String(); got != want {
		t.Errorf("stdout = %q; want %q", got, want)
	}
}

// offline points the Twitch settings at a closed local port, so no test
// reaches the real Twitch whatever the run command does with a token.
var offline = []string{
	"CHATDESK_TWITCH_IRC_ADDRESS=127.0.0.1:1",
	"CHATDESK_TWITCH_TLS=false",
	"CHATDESK_TWITCH_API_URL=http://127.0.0.1:1/helix",
	"CHATDESK_TWITCH_AUTH_URL=http://127.0.0.1:1/oauth2",
}

// TestRunWithTokenSaysTwitchIsMissing pins today's behaviour: with a token
// the bot does not fall back to the console, and says the Twitch connection
// is not built yet. It changes when that connection lands.
// TestRunWithUnreachableTwitchFailsWithoutLeakingTheToken: with a token the
// bot goes live; when Twitch cannot be reached at start it exits 1, says
// why, and never shows the token.
func TestRunWithUnreachableTwitchFailsWithoutLeakingTheToken(t *testing.T) {
	const token = "oauth:s3cr3t-t0k3n"
	env := append([]string{"CHATDESK_TWITCH_TOKEN=" + token, "CHATDESK_BOT_LOG_LEVEL=debug"}, offline...)
	o := invoke(t, env, "ana: when do you stream?\n", "run", "--config", shippedConfig)
	if got, want := o.code(), exitFailure; got != want {
		t.Fatalf("exit code %d (%v); want %d", got, o.err, want)
	}
	for name, s := range map[string]string{"error": o.err.Error(), "stdout": o.stdout, "stderr": o.stderr} {
		if strings.Contains(s, token) || strings.Contains(s, "s3cr3t") {
			t.Errorf("the token appears in %s: %q", name, s)
		}
	}
	if o.stdout != "" {
		t.Errorf("stdout = %q; want nothing: with a token the console is not used", o.stdout)
	}
}

func TestCheckShippedConfig(t *testing.T) {
	o := invoke(t, nil, "", "check", "--config", shippedConfig)
	if o.code() != 0 {
		t.Fatalf("check exit code %d; want 0\n%v", o.code(), o.err)
	}
	got := lines(o.stdout)
	if len(got) != 1 || !strings.HasPrefix(got[0], "#mira: ok") {
		t.Errorf("check printed %q; want one line starting %q", o.stdout, "#mira: ok")
	}
}

// replayFields are the keys every line of replay output carries; tools that
// score replays rely on them.
var replayFields = []string{"line", "channel", "user", "text", "action", "faq", "confidence", "reply", "rule", "penalty", "ticket"}

// decodeReplay reads replay's stdout, one JSON object per line, and checks
// each has every contract field.
func decodeReplay(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("stdout line %d is not a JSON object: %v\n%s", n, err, sc.Text())
		}
		for _, f := range replayFields {
			if _, ok := m[f]; !ok {
				t.Errorf("stdout line %d has no %q field: %s", n, f, sc.Text())
			}
		}
		out = append(out, m)
	}
	return out
}

func TestReplayFormats(t *testing.T) {
	schedule := demoEntry(t, "schedule")
	type row struct {
		line   int
		user   string
		action string
		faq    string
	}
	tests := []struct {
		file string
		want []row
	}{
		{
			file: "testdata/replay/chat.txt",
			want: []row{
				{1, "ana", "answer", "schedule"},
				{2, "bob", "ignore", ""},
				// line 3 is blank
				{4, "viewer", "ignore", ""},
				{5, "kim", "command", ""},
				{6, "mei", "answer", "discord"},
			},
		},
		{
			file: "testdata/replay/chat.jsonl",
			want: []row{
				{1, "ana", "answer", "schedule"},
				{2, "bob", "ignore", ""},
				{3, "kim", "command", ""},
				{4, "mei", "answer", "discord"},
			},
		},
		{
			file: "testdata/replay/chat.irc",
			want: []row{
				// line 1 is a server welcome, line 3 a PING, line 5 a JOIN
				{2, "ana", "answer", "schedule"},
				{4, "bob", "ignore", ""},
				{6, "kim", "command", ""},
				{7, "mei", "answer", "discord"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			o := invoke(t, nil, "", "replay", "--config", shippedConfig, tt.file)
			if o.err != nil {
				t.Fatalf("replay: %v\nstderr:\n%s", o.err, o.stderr)
			}
			got := decodeReplay(t, o.stdout)
			if len(got) != len(tt.want) {
				t.Fatalf("replay printed %d objects; want %d (one per message)\n%s", len(got), len(tt.want), o.stdout)
			}
			for i, w := range tt.want {
				g := got[i]
				if g["line"] != float64(w.line) || g["user"] != w.user || g["action"] != w.action || g["faq"] != w.faq {
					t.Errorf("object %d: got line %v, user %v, action %v, faq %v; want line %d, user %s, action %s, faq %q",
						i+1, g["line"], g["user"], g["action"], g["faq"], w.line, w.user, w.action, w.faq)
				}
				if g["channel"] != "mira" {
					t.Errorf("object %d: got channel %v; want mira", i+1, g["channel"])
				}
			}
			if got[0]["reply"] != schedule.Answer {
				t.Errorf("reply to the schedule question = %v; want %q", got[0]["reply"], schedule.Answer)
			}
			if c, _ := got[0]["confidence"].(float64); c <= 0 || c > 1 {
				t.Errorf("confidence of the schedule answer = %v; want in (0, 1]", got[0]["confidence"])
			}
			if want := "replayed " + strconv.Itoa(len(tt.want)) + " messages"; !strings.Contains(o.stderr, want) {
				t.Errorf("stderr = %q; want a summary mentioning %q", o.stderr, want)
			}
		})
	}
}

func TestReplayMalformedJSONL(t *testing.T) {
	o := invoke(t, nil, "", "replay", "--config", shippedConfig, "testdata/replay/malformed.jsonl")
	if o.err != nil {
		t.Fatalf("replay: %v\nstderr:\n%s", o.err, o.stderr)
	}
	got := decodeReplay(t, o.stdout)
	wantActions := []string{"answer", "ignore", "ignore", "ignore"}
	if len(got) != len(wantActions) {
		t.Fatalf("replay printed %d objects; want %d, one per input line\n%s", len(got), len(wantActions), o.stdout)
	}
	for i, want := range wantActions {
		if got[i]["line"] != float64(i+1) || got[i]["action"] != want {
			t.Errorf("object %d: got line %v, action %v; want line %d, action %s", i+1, got[i]["line"], got[i]["action"], i+1, want)
		}
	}
	if !strings.Contains(o.stderr, "replayed 2 messages ") || !strings.Contains(o.stderr, "; 2 malformed lines") {
		t.Errorf("stderr = %q; want a summary of 2 messages and 2 malformed lines", o.stderr)
	}
}

func TestReplayFAQReplacesChannelFAQ(t *testing.T) {
	o := invoke(t, nil, "", "replay", "--config", shippedConfig, "--faq", "testdata/faq/tiny.yaml", "testdata/replay/faq-draft.txt")
	if o.err != nil {
		t.Fatalf("replay: %v\nstderr:\n%s", o.err, o.stderr)
	}
	got := decodeReplay(t, o.stdout)
	want := []struct{ action, faq string }{
		{"answer", "teapot"},
		{"ignore", ""}, // the demo FAQ's schedule entry is gone for this run
		{"answer", "plant"},
	}
	if len(got) != len(want) {
		t.Fatalf("replay printed %d objects; want %d\n%s", len(got), len(want), o.stdout)
	}
	for i, w := range want {
		if got[i]["action"] != w.action || got[i]["faq"] != w.faq {
			t.Errorf("object %d: got action %v, faq %v; want %s, %q", i+1, got[i]["action"], got[i]["faq"], w.action, w.faq)
		}
	}
}

func TestReplayStdin(t *testing.T) {
	o := invoke(t, nil, "ana: when do you stream?\n", "replay", "--config", shippedConfig, "-")
	if o.err != nil {
		t.Fatalf("replay: %v", o.err)
	}
	got := decodeReplay(t, o.stdout)
	if len(got) != 1 || got[0]["faq"] != "schedule" {
		t.Errorf("replay of stdin printed %q; want one schedule answer", o.stdout)
	}
}

func TestReplayBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown channel", []string{"--channel", "nobody", "testdata/replay/chat.txt"}, `no channel "nobody"`},
		{"missing file", []string{"testdata/replay/no-such-file.txt"}, "no-such-file.txt"},
		{"unknown format", []string{"--format", "xml", "testdata/replay/chat.txt"}, "xml"},
		{"missing faq", []string{"--faq", "testdata/faq/no-such-faq.yaml", "testdata/replay/chat.txt"}, "no-such-faq.yaml"},
		{"no file", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"replay", "--config", shippedConfig}, tt.args...)
			o := invoke(t, nil, "", args...)
			if got, want := o.code(), exitBadInput; got != want {
				t.Fatalf("exit code %d (%v); want %d", got, o.err, want)
			}
			if !strings.Contains(o.err.Error(), tt.want) {
				t.Errorf("error = %q; want it to mention %q", o.err, tt.want)
			}
			if o.stdout != "" {
				t.Errorf("stdout = %q; want nothing", o.stdout)
			}
		})
	}
}

func TestAsk(t *testing.T) {
	o := invoke(t, nil, "", "ask", "--config", shippedConfig, "when do you stream?")
	if o.err != nil {
		t.Fatalf("ask: %v", o.err)
	}
	if want := `decision: answer with "schedule"`; !strings.Contains(o.stdout, want) {
		t.Errorf("ask printed:\n%s\nwant a line with %q", o.stdout, want)
	}
	if want := "reply: " + demoEntry(t, "schedule").Answer; !strings.Contains(o.stdout, want) {
		t.Errorf("ask printed:\n%s\nwant a line with %q", o.stdout, want)
	}
	candidate := regexp.MustCompile(`^\s+(\d)\. (\S+)\s+(\d\.\d\d)\s`)
	var ids []string
	for _, l := range lines(o.stdout) {
		if m := candidate.FindStringSubmatch(l); m != nil {
			ids = append(ids, m[2])
		}
	}
	if len(ids) == 0 || len(ids) > 3 {
		t.Fatalf("ask listed %d candidates; want 1 to 3\n%s", len(ids), o.stdout)
	}
	if ids[0] != "schedule" {
		t.Errorf("first candidate = %s; want schedule", ids[0])
	}
}

func TestAskNotAQuestion(t *testing.T) {
	o := invoke(t, nil, "", "ask", "--config", shippedConfig, "I", "love", "this", "game")
	if o.err != nil {
		t.Fatalf("ask: %v", o.err)
	}
	if !strings.Contains(o.stdout, "not a question") || !strings.Contains(o.stdout, "decision: ignore") {
		t.Errorf("ask printed:\n%s\nwant it to say it is not a question and would be ignored", o.stdout)
	}
}

func TestAskOtherChannel(t *testing.T) {
	o := invoke(t, nil, "", "ask", "--config", "testdata/sub/config.yaml", "--channel", "#SubChannel", "what is in the sub directory?")
	if o.err != nil {
		t.Fatalf("ask: %v", o.err)
	}
	if !strings.Contains(o.stdout, `answer with "sub-only"`) {
		t.Errorf("ask printed:\n%s\nwant an answer from the sub directory's FAQ", o.stdout)
	}
	o = invoke(t, nil, "", "ask", "--config", shippedConfig, "--channel", "nobody", "hi?")
	if got, want := o.code(), exitBadInput; got != want {
		t.Errorf("ask in an unknown channel: exit code %d (%v); want %d", got, o.err, want)
	}
}

func TestVersion(t *testing.T) {
	o := invoke(t, nil, "", "version")
	if o.err != nil {
		t.Fatalf("version: %v", o.err)
	}
	if want := "chatdesk " + version + "\n"; o.stdout != want {
		t.Errorf("version printed %q; want %q", o.stdout, want)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{"--bogus"},
		{"check", "--bogus"},
		{"replay", "--bogus", "x.txt"},
		{"version", "extra"},
		{"check", "extra"},
		{"ask"},
		{"frobnicate"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			o := invoke(t, nil, "", args...)
			if got, want := o.code(), exitBadInput; got != want {
				t.Errorf("bot %s: exit code %d (%v); want %d", strings.Join(args, " "), got, o.err, want)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{os.ErrNotExist, exitFailure},
		{badInput(os.ErrNotExist), exitBadInput},
		{&exitErr{code: 7, err: os.ErrClosed}, 7},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d; want %d", tt.err, got, tt.want)
		}
	}
}
