package replay_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/replay"
)

func TestWriter(t *testing.T) {
	msg := chat.Message{Channel: "streamer", User: "eve", Text: "<3 & when?"}
	tests := []struct {
		name string
		rec  replay.Record
		d    chat.Decision
		want string
	}{
		{
			name: "answer with two replies",
			rec:  replay.Record{Line: 7, Msg: msg},
			d: chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule", Confidence: 0.87654,
				Replies: []chat.Reply{{Text: "Mon & Wed <19:00>"}, {Text: "see !schedule"}}},
			want: `{"line":7,"channel":"streamer","user":"eve","text":"<3 & when?","action":"answer","faq":"schedule","confidence":0.877,"reply":"Mon & Wed <19:00> / see !schedule","rule":"","penalty":"","ticket":""}`,
		},
		{
			name: "nothing decided reads as ignore",
			rec:  replay.Record{Line: 1, Msg: msg},
			want: `{"line":1,"channel":"streamer","user":"eve","text":"<3 & when?","action":"ignore","faq":"","confidence":0,"reply":"","rule":"","penalty":"","ticket":""}`,
		},
		{
			name: "moderation",
			rec:  replay.Record{Line: 2, Msg: msg},
			d:    chat.Decision{Action: chat.ActionModerate, Rule: "links", Penalty: "timeout"},
			want: `{"line":2,"channel":"streamer","user":"eve","text":"<3 & when?","action":"moderate","faq":"","confidence":0,"reply":"","rule":"links","penalty":"timeout","ticket":""}`,
		},
		{
			name: "escalation",
			rec:  replay.Record{Line: 3, Msg: msg},
			d:    chat.Decision{Action: chat.ActionEscalate, Ticket: "T-12", Replies: []chat.Reply{{Text: "asked the mods"}}},
			want: `{"line":3,"channel":"streamer","user":"eve","text":"<3 & when?","action":"escalate","faq":"","confidence":0,"reply":"asked the mods","rule":"","penalty":"","ticket":"T-12"}`,
		},
		{
			name: "malformed line carries a note",
			rec:  replay.Record{Line: 4, Msg: chat.Message{Channel: "streamer", ID: "replay-4"}, Err: errors.New("bad JSON")},
			d:    chat.Decision{Action: chat.ActionIgnore, Note: "malformed: bad JSON"},
			want: `{"line":4,"channel":"streamer","user":"","text":"","action":"ignore","faq":"","confidence":0,"reply":"","rule":"","penalty":"","ticket":"","note":"malformed: bad JSON"}`,
		},
		{
			name: "a score that is not a number",
			rec:  replay.Record{Line: 5, Msg: msg},
			d:    chat.Decision{Action: chat.ActionAnswer, Confidence: math.NaN()},
			want: `{"line":5,"channel":"streamer","user":"eve","text":"<3 & when?","action":"answer","faq":"","confidence":0,"reply":"","rule":"","penalty":"","ticket":""}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := replay.NewWriter(&buf)
			if err := w.Write(replay.NewOutput(tt.rec, tt.d)); err != nil {
				t.Fatal(err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before Flush; want them buffered", buf.Len())
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want+"\n" {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestOutputFieldsAreTheContract(t *testing.T) {
	b, err := json.Marshal(replay.NewOutput(replay.Record{}, chat.Decision{}))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"line", "channel", "user", "text", "action", "faq", "confidence", "reply", "rule", "penalty", "ticket"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("field %q missing from %s", k, b)
		}
		delete(fields, k)
	}
	if len(fields) != 0 {
		t.Errorf("extra fields %v in %s", fields, b)
	}
}
