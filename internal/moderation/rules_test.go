package moderation

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// TestRuleTables runs the chat lines in testdata/rules/*.txt through an
// engine and checks each verdict. The files are meant for moderators to
// extend; see testdata/rules/README.md for their format.
func TestRuleTables(t *testing.T) {
	files, err := filepath.Glob("testdata/rules/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule tables: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runTable(t, file)
		})
	}
}

func runTable(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	var e *Engine
	start := time.Date(2026, 1, 1, 20, 0, 0, 0, time.UTC)
	now := start
	for n, line := range strings.Split(string(data), "\n") {
		where := fmt.Sprintf("%s:%d", file, n+1)
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "@") {
			if e != nil {
				t.Fatalf("%s: settings must come before the first chat line", where)
			}
			if err := applyDirective(&s, line); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			continue
		}
		if e == nil {
			e, err = New("test", s, Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
		}
		want, text, ok := strings.Cut(line, " | ")
		if !ok {
			t.Fatalf("%s: want \"<verdict> | <chat line>\"", where)
		}
		want = strings.TrimSpace(want)
		msg := chat.Message{ID: fmt.Sprintf("m%d", n+1), User: fmt.Sprintf("viewer%d", n+1)}
		after := 2 * time.Second
		for strings.HasPrefix(text, "[") {
			end := strings.Index(text, "]")
			if end < 0 {
				t.Fatalf("%s: unclosed [", where)
			}
			mark := text[1:end]
			text = strings.TrimPrefix(text[end+1:], " ")
			key, val, _ := strings.Cut(mark, "=")
			switch key {
			case "first":
				msg.First = true
			case "vip":
				msg.Roles |= chat.RoleVIP
			case "sub":
				msg.Roles |= chat.RoleSubscriber
			case "mod":
				msg.Roles |= chat.RoleModerator
			case "broadcaster":
				msg.Roles |= chat.RoleBroadcaster
			case "user":
				msg.User = val
			case "after":
				d, err := time.ParseDuration(val)
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				after = d
			case "permit":
				e.Permit(msg.User, 0, now)
			case "emote":
				msg.Emotes = append(msg.Emotes, tagEmotes(text, val)...)
			default:
				t.Fatalf("%s: unknown marker [%s]", where, mark)
			}
		}
		now = now.Add(after)
		msg.Text = text
		msg.Time = now
		v := e.Check(msg)
		got := "ok"
		if v.Broke() {
			got = v.Rule
		}
		if got != want {
			t.Errorf("%s: %q: got %s (%s); want %s", where, text, got, v.Detail, want)
		}
	}
}

// tagEmotes marks every occurrence of name in text as a Twitch emote, the
// way the IRC emote tag would.
func tagEmotes(text, name string) []chat.Emote {
	var out []chat.Emote
	runes := []rune(text)
	nr := []rune(name)
	for i := 0; i+len(nr) <= len(runes); i++ {
		if string(runes[i:i+len(nr)]) == name && (i == 0 || runes[i-1] == ' ') && (i+len(nr) == len(runes) || runes[i+len(nr)] == ' ') {
			out = append(out, chat.Emote{ID: "1", Name: name, Start: i, End: i + len(nr)})
		}
	}
	return out
}

// applyDirective changes settings: "@only rule…" turns every other rule
// off, "@enable rule", "@disable rule", "@set rule.option value",
// "@regulars login,…", "@ladder step, step…".
func applyDirective(s *Settings, line string) error {
	f := strings.Fields(line)
	switch f[0] {
	case "@only":
		for name, r := range s.Rules {
			r.Enabled = false
			for _, keep := range f[1:] {
				if keep == name {
					r.Enabled = true
				}
			}
			s.Rules[name] = r
		}
	case "@enable", "@disable":
		for _, name := range f[1:] {
			r, ok := s.Rules[name]
			if !ok {
				return fmt.Errorf("unknown rule %q", name)
			}
			r.Enabled = f[0] == "@enable"
			s.Rules[name] = r
		}
	case "@regulars":
		s.Regulars = strings.Split(strings.Join(f[1:], ""), ",")
	case "@emotes":
		s.Emotes = f[1:]
	case "@ladder":
		s.Ladder = nil
		for st := range strings.SplitSeq(strings.TrimPrefix(line, "@ladder"), ",") {
			step, err := ParseStep(st)
			if err != nil {
				return err
			}
			s.Ladder = append(s.Ladder, step)
		}
	case "@set":
		if len(f) < 3 {
			return fmt.Errorf("want @set rule.option value")
		}
		name, opt, _ := strings.Cut(f[1], ".")
		r, ok := s.Rules[name]
		if !ok {
			return fmt.Errorf("unknown rule %q", name)
		}
		val := strings.Join(f[2:], " ")
		list := func() []string { return strings.Split(val, ",") }
		num := func() int { n, _ := strconv.Atoi(val); return n }
		switch opt {
		case "ratio":
			r.Ratio, _ = strconv.ParseFloat(val, 64)
		case "threshold":
			r.Threshold, _ = strconv.ParseFloat(val, 64)
		case "min_length":
			r.MinLength = num()
		case "max":
			r.Max = num()
		case "max_words":
			r.MaxWords = num()
		case "severity":
			r.Severity = num()
		case "window":
			r.Window, _ = time.ParseDuration(val)
		case "allow":
			r.Allow = list()
		case "terms":
			r.Terms = list()
		case "phrases":
			r.Phrases = list()
		case "exempt":
			r.Exempt = nil
			for _, x := range list() {
				r.Exempt = append(r.Exempt, Role(x))
			}
		default:
			return fmt.Errorf("unknown option %q", opt)
		}
		s.Rules[name] = r
	default:
		return fmt.Errorf("unknown directive %s", f[0])
	}
	return nil
}
