package answer

import (
	"context"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/question"
)

func TestRequestsWithoutQuestionSyntax(t *testing.T) {
	ix, err := Build([]Entry{
		{ID: "discord", Questions: []string{"discord link?", "is there a discord", "how do i join the discord"}, Keywords: []string{"discord"}, Answer: "discord.gg/x"},
		{ID: "music", Questions: []string{"what song is this", "playlist?", "whats the playlist"}, Answer: "lofi"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := NewResponder(ix, question.Detector{}, Settings{}, nil, nil)
	defer r.Close()
	tests := []struct {
		text, want string // want: the entry answered, "" for nothing
		question   bool   // the decision counts the line as a question
	}{
		{"discord link", "discord", true},
		{"playlist", "music", true},
		// Statements, reactions and chatter about a topic are not requests.
		{"the discord is so fun", "", false},
		{"i love this playlist", "", false},
		{"discord was wild yesterday", "", false},
		{"went to the discord meetup and it was so much fun", "", false},
		{"gg", "", false},
		{"KEKW", "", false},
	}
	for _, tt := range tests {
		d := r.Handle(context.Background(), chat.Message{ID: "m", Channel: "c", User: "u", Text: tt.text})
		if d.FAQ != tt.want || (d.Action == chat.ActionAnswer) != (tt.want != "") || d.Question != tt.question {
			t.Errorf("%q: action %q faq %q question %v; want faq %q question %v", tt.text, d.Action, d.FAQ, d.Question, tt.want, tt.question)
		}
	}
}

// TestRequestShaped: short lines that open without a subject may be
// requests and are matched (at RequestConfidence); statements, and chat's
// rituals — wishes, thanks, comings and goings — are not matched at all,
// however many FAQ words they name.
func TestRequestShaped(t *testing.T) {
	var d question.Detector
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"discord link", true},
		{"playlist", true},
		{"pc specs", true},
		{"socials", true},
		{"the discord is so fun", false},
		{"i love this playlist", false},
		{"good luck on the discord tournament", false},
		{"gl with the playlist", false},
		{"brb getting the playlist ready", false},
		{"first time here, love the playlist", false},
		{"thanks for the discord invite", false},
		{"ty for the playlist", false},
		{"congrats on the discord partnership", false},
		{"happy birthday to the discord mod", false},
		{"welcome to the discord raiders", false},
		{"love the playlist today", false},
	} {
		if got := requestShaped(d.Detect(tt.text), tt.text); got != tt.want {
			t.Errorf("requestShaped(%q) = %v; want %v", tt.text, got, tt.want)
		}
	}
}

func TestFoldZh(t *testing.T) {
	tests := []struct{ in, want string }{
		{"主播會講杭州話嗎", "主播会讲杭州话吗"},
		{"咋进群", "怎么进群"},
		{"这是啥歌", "这是什么歌"},
		{"咋样", "怎么样"},
		{"when do you stream", "when do you stream"},
	}
	for _, tt := range tests {
		if got := foldZh(tt.in); got != tt.want {
			t.Errorf("foldZh(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	ix, err := Build([]Entry{{ID: "group", Questions: []string{"怎么进粉丝群"}, Answer: "群号 123"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	a, _ := ix.Candidates("咋进粉丝群", question.LangChinese, 1)
	b, _ := ix.Candidates("怎么进粉丝群", question.LangChinese, 1)
	if len(a) == 0 || len(b) == 0 || a[0].Confidence != b[0].Confidence {
		t.Errorf("咋进粉丝群 and 怎么进粉丝群 score %v and %v; want the same", a, b)
	}
}

// Chat addresses the streamer in nearly every Chinese question; that is no
// evidence against an example that does not.
func TestZhAddressIsNoNegativeEvidence(t *testing.T) {
	ix, err := Build([]Entry{{ID: "schedule", Questions: []string{"什么时候开播"}, Answer: "晚上八点"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	cs, err := ix.Candidates("主播什么时候开播", question.LangChinese, 1)
	if err != nil || len(cs) == 0 {
		t.Fatalf("Candidates = %v, %v", cs, err)
	}
	if f := cs[0].Features; f.MissingQuestion != 0 || f.MissingExample != 0 || f.Mismatch {
		t.Errorf("features = %+v; want no negative evidence", f)
	}
}

// What a question names counts against an entry only when none of the
// entry's examples names it: 弹幕 words the topic as one example does and
// the detail as another.
func TestZhMissingQuestionIsAgainstTheWholeEntry(t *testing.T) {
	ix, err := Build([]Entry{
		{ID: "captain", Questions: []string{"怎么上舰", "舰长有什么福利"}, Answer: "舰长每月礼包"},
		{ID: "schedule", Questions: []string{"什么时候开播"}, Answer: "晚上八点"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	tests := []struct {
		text    string
		missing bool
	}{
		{"上舰有福利吗", false}, // 上舰 from one example, 福利 from the other
		{"上舰多少钱", true},   // 钱 is in no example
	}
	for _, tt := range tests {
		cs, err := ix.Candidates(tt.text, question.LangChinese, 1)
		if err != nil || len(cs) == 0 || cs[0].Entry.ID != "captain" {
			t.Fatalf("Candidates(%q) = %v, %v; want captain first", tt.text, cs, err)
		}
		if got := cs[0].Features.MissingQuestion > 0; got != tt.missing {
			t.Errorf("%q: MissingQuestion = %.2f; want missing %v", tt.text, cs[0].Features.MissingQuestion, tt.missing)
		}
	}
}
