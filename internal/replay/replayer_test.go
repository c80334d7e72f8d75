package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/replay"
)

// answerer answers every line that ends in '?' and remembers the times it
// saw.
type answerer struct{ times []time.Time }

func (a *answerer) Handle(_ context.Context, msg chat.Message) (chat.Decision, error) {
	a.times = append(a.times, msg.Time)
	if strings.HasSuffix(msg.Text, "?") {
		return chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule"}, nil
	}
	return chat.Decision{}, nil
}

func TestReplayer(t *testing.T) {
	var out bytes.Buffer
	h := &answerer{}
	rp := replay.NewReplayer(h, "mira", replay.FormatJSONL, &out)
	in := `{"user":"ana","text":"when do you stream?"}
{"user":"bob","text":"hi"}
not json
`
	if err := rp.Replay(context.Background(), "chat.jsonl", strings.NewReader(in), int64(len(in))); err != nil {
		t.Fatal(err)
	}
	sum, err := rp.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Messages != 2 || sum.Malformed != 1 || sum.Actions[chat.ActionAnswer] != 1 || sum.Actions[chat.ActionIgnore] != 1 {
		t.Errorf("summary %+v; want 2 messages, 1 malformed, 1 answer, 1 ignored", sum)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d output lines; want one per input line:\n%s", len(lines), out.String())
	}
	var first struct{ Action, FAQ, Channel, User string }
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Action != "answer" || first.FAQ != "schedule" || first.Channel != "mira" || first.User != "ana" {
		t.Errorf("first line %s (%v); want ana's answer in #mira", lines[0], err)
	}
	if len(h.times) != 2 || h.times[1].Sub(h.times[0]) != time.Second {
		t.Errorf("untimed lines came at %v; want one second apart", h.times)
	}
	if got := sum.Line(time.Second); !strings.Contains(got, "replayed 2 messages") || !strings.Contains(got, "answer 1") || !strings.HasSuffix(got, "; 1 malformed line") {
		t.Errorf("summary line %q", got)
	}
}

// moderator moderates every line with what tipped it.
type moderator struct{}

func (moderator) Handle(_ context.Context, msg chat.Message) (chat.Decision, error) {
	return chat.Decision{Action: chat.ActionModerate, Rule: "spam_bots", Penalty: "delete",
		Why: []string{"family: handle bait", `handle "x_1"`}}, nil
}

// TestReplayerExplain: the explain field is there with Explain set, and
// left out without, so the output of a plain replay does not change.
func TestReplayerExplain(t *testing.T) {
	for _, explain := range []bool{false, true} {
		var out bytes.Buffer
		rp := replay.NewReplayer(moderator{}, "mira", replay.FormatPlain, &out)
		rp.Explain = explain
		if err := rp.Replay(context.Background(), "-", strings.NewReader("bob: add me\n"), 0); err != nil {
			t.Fatal(err)
		}
		if _, err := rp.Finish(); err != nil {
			t.Fatal(err)
		}
		var d struct{ Explain []string }
		if err := json.Unmarshal(out.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		switch {
		case explain && (len(d.Explain) != 2 || d.Explain[0] != "family: handle bait"):
			t.Errorf("--explain: %s; want the family and its words", out.String())
		case !explain && strings.Contains(out.String(), "explain"):
			t.Errorf("without --explain: %s; want no explain field", out.String())
		}
	}
}
