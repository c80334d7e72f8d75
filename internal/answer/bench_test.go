package answer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/question"
)

// benchTopics make a synthetic but realistic-sized FAQ: each topic becomes
// several entries with different subjects, for 200 entries in all.
var benchTopics = []struct{ subject, q1, q2, q3, zh string }{
	{"schedule", "when do you stream %s", "what time is the %s stream", "is there a stream on %s", "%s什么时候开播"},
	{"keyboard", "what %s keyboard do you use", "which keyboard is that %s", "keyboard %s?", "主播用的什么%s键盘"},
	{"discord", "is there a %s discord", "link to the %s discord", "how do i join the %s server", "%s的discord是多少"},
	{"game", "what game is %s", "is %s a good game", "where can i buy %s", "%s是什么游戏"},
	{"song", "what song is %s", "who made the %s music", "playlist for %s", "%s是什么歌"},
}

var benchSubjects = []string{
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mechanical",
	"wireless", "retro", "rgb", "silent", "art", "speedrun", "modding", "cozy", "minecraft",
	"stardew", "hades", "celeste", "terraria", "zelda", "mario", "portal", "tetris", "doom",
	"lofi", "jazz", "synth", "piano", "chill", "intro", "outro", "raid", "charity", "collab",
	"marathon", "tournament", "giveaway", "emote",
}

func benchEntries() []Entry {
	var out []Entry
	for _, s := range benchSubjects {
		for _, t := range benchTopics {
			out = append(out, Entry{
				ID:        fmt.Sprintf("%s-%s", t.subject, s),
				Questions: []string{fmt.Sprintf(t.q1, s), fmt.Sprintf(t.q2, s), fmt.Sprintf(t.q3, s), fmt.Sprintf(t.zh, s)},
				Answer:    "an answer about " + s,
			})
		}
	}
	return out[:200]
}

// benchChat is a mix like real chat: most lines are not questions.
func benchChat() []string {
	chatter := []string{
		"LUL", "KEKW KEKW", "gg", "that was insane", "hi chat", "lets gooo", "PogChamp",
		"i love this song", "no way", "hahaha", "当然了", "哈哈哈哈", "good luck on the boss",
		"@bob what time is it there", "first time here, love the vibes", "this game looks so cozy",
	}
	questions := []string{
		"when do you stream on friday?", "what keyboard do you use", "is there a discord",
		"what game is this", "what song is this?", "how do i get the emote", "赛尔达是什么游戏",
		"what's the wifi password lol", "can you play minecraft next?", "主播什么时候开播",
	}
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]string, 1000)
	for i := range out {
		if r.IntN(10) < 8 {
			out[i] = chatter[r.IntN(len(chatter))]
		} else {
			out[i] = questions[r.IntN(len(questions))]
		}
	}
	return out
}

// BenchmarkMatch measures the answer stage on a 200-entry FAQ over mixed
// chat, as the router calls it: question detection, then matching.
// Run: go test -run '^$' -bench BenchmarkMatch -benchmem ./internal/answer
func BenchmarkMatch(b *testing.B) {
	ix, err := Build(benchEntries())
	if err != nil {
		b.Fatal(err)
	}
	r := NewResponder(ix, question.Detector{Names: []string{"chatdesk"}}, Settings{}, nil, nil)
	defer r.Close()
	lines := benchChat()
	msgs := make([]chat.Message, len(lines))
	base := time.Unix(0, 0)
	for i, l := range lines {
		msgs[i] = chat.Message{ID: "m", Channel: "c", User: "u", Text: l, Time: base}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		m.Time = base.Add(time.Duration(i) * time.Second)
		r.Handle(ctx, m)
	}
}

// BenchmarkCandidates measures matching alone, on questions only.
func BenchmarkCandidates(b *testing.B) {
	ix, err := Build(benchEntries())
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	qs := []string{"when do you stream on friday?", "what keyboard do you use", "赛尔达是什么游戏", "can you play minecraft next?"}
	langs := make([]string, len(qs))
	for i, q := range qs {
		langs[i] = question.DetectLang(q)
	}
	b.ReportAllocs()
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := ix.Candidates(qs[i%len(qs)], langs[i%len(qs)], 3); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	// The bar is on the median question, which a mean hides when the
	// machine is shared.
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
}
