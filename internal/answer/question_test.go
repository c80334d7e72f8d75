package answer

import (
	"testing"
	"unicode/utf8"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		text  string
		want  bool
		names []string // Detector.Names; nil means none
	}{
		// From the spec: reactions, viewer-to-viewer talk, emotes.
		{text: "is this real", want: false},
		{text: "no way?!", want: false},
		{text: "@bob what time is it there", want: false},
		{text: "LUL", want: false},
		{text: "当然了", want: false},

		// From the spec: questions and requests.
		{text: "when do you stream?", want: true},
		{text: "whats the song", want: true},
		{text: "pc specs?", want: true},
		{text: "tell me your specs", want: true},
		{text: "need the discord link", want: true},
		{text: "anyone know the discord", want: true},
		{text: "could you track an order for me", want: true},
		{text: "@mira when is the next stream", want: true, names: []string{"mira"}},
		{text: "什么时候开播", want: true},
		{text: "主播用的什么键盘", want: true},
		{text: "有没有discord", want: true},
		{text: "请问下播时间", want: true},

		// English: question marks.
		{text: "discord?", want: true},
		{text: "PC SPECS?", want: true},
		{text: "you play ranked?", want: true},
		{text: "mouse sensitivity??", want: true},
		{text: "?", want: false},
		{text: "??", want: false},
		{text: "wtf?", want: false},
		{text: "what?!", want: false},
		{text: "are you serious?", want: false},
		{text: "KEKW ?", want: false},
		{text: "full rules at example.com/faq?lang=en", want: false},

		// English: wh-words, also after a short lead.
		{text: "what game is this", want: true},
		{text: "where are you from", want: true},
		{text: "how long have you been streaming", want: true},
		{text: "which mouse do you use", want: true},
		{text: "who made the overlay", want: true},
		{text: "why is the stream so laggy", want: true},
		{text: "wat keyboard", want: true},
		{text: "hey what's the schedule", want: true},
		{text: "yo when is the next stream", want: true},
		{text: "btw whats your sens", want: true},
		{text: "quick question how do i get the emotes", want: true},
		{text: "so how do i join the discord", want: true},
		{text: "hi chat! when does the stream start", want: true},
		{text: "PogChamp when is the giveaway", want: true},
		{text: "@mira whats your rank", want: true, names: []string{"mira"}},
		{text: "mira what rank are you", want: true, names: []string{"mira"}},
		{text: "20 dollars is how many euros", want: true},
		{text: "from where did you get that chair", want: true},

		// English: auxiliary inversion.
		{text: "is there a discord", want: true},
		{text: "can i join your team", want: true},
		{text: "do you have a tiktok", want: true},
		{text: "does the game support controller", want: true},
		{text: "are you going to play elden ring", want: true},
		{text: "will there be a stream tomorrow", want: true},
		{text: "could you explain the rules", want: true},
		{text: "would you ever play minecraft", want: true},
		{text: "should i buy this game", want: true},
		{text: "have you played hades", want: true},
		{text: "did you finish the story", want: true},
		{text: "is stream on tomorrow", want: true},
		{text: "is a headset worth it for this game", want: true},
		{text: "your a bot aren't you", want: true},
		{text: "and your name is", want: true},

		// English: requests that are not phrased as questions.
		{text: "give me the schedule", want: true},
		{text: "looking for the discord", want: true},
		{text: "i'd like to know when you stream", want: true},
		{text: "i need to know how to redeem points", want: true},
		{text: "show me your setup", want: true},
		{text: "define ragequit", want: true},
		{text: "translate hello into spanish", want: true},
		{text: "convert 5 dollars to euros", want: true},
		{text: "tell me the weather in paris", want: true},
		{text: "skip this song please", want: true},
		{text: "link the discord pls", want: true},
		{text: "does anyone know the song name", want: true},
		{text: "i wonder what the next game is", want: true},
		{text: "any idea when the merch drops", want: true},
		{text: "pls let me know when the vod is up", want: true},
		{text: "next song please", want: true},

		// English: statements, greetings, reactions, emotes, commands.
		{text: "hi", want: false},
		{text: "hello chat", want: false},
		{text: "gn", want: false},
		{text: "good morning everyone", want: false},
		{text: "hey, how are you", want: false},
		{text: "how's it going chat", want: false},
		{text: "whats up", want: false},
		{text: "thanks for the stream", want: false},
		{text: "that was a great play", want: false},
		{text: "i love this song", want: false},
		{text: "gg", want: false},
		{text: "was fun", want: false},
		{text: "is so good", want: false},
		{text: "can confirm", want: false},
		{text: "don't care", want: false},
		{text: "have a good night", want: false},
		{text: "what a play", want: false},
		{text: "how cool is that", want: false},
		{text: "how cool is that?", want: false},
		{text: "are you serious", want: false},
		{text: "is he ok lol", want: false},
		{text: "did he just do that", want: false},
		{text: "no way", want: false},
		{text: "who cares", want: false},
		{text: "KEKW KEKW KEKW", want: false},
		{text: "PogChamp PogChamp", want: false},
		{text: "OMEGALUL", want: false},
		{text: "FrankerZ", want: false},
		{text: "monkaS", want: false},
		{text: "lol", want: false},
		{text: "123 456", want: false},
		{text: "", want: false},
		{text: "   ", want: false},
		{text: "!discord", want: false},
		{text: "!ask when is the stream?", want: false},
		{text: "@bob are you going to the meetup?", want: false},
		{text: "@bob @carol anyone know the discord", want: false},
		{text: "where are you from @bob", want: false},
		{text: "@mira is this real", want: false, names: []string{"mira"}},
		{text: "check out my channel", want: false},
		{text: "that's what she said", want: false},
		{text: "idk what is going on", want: false},
		{text: "it is what it is", want: false},
		{text: "i know what you did", want: false},
		{text: "this is what happens when you are late", want: false},
		{text: "when i grow up i want to be a streamer", want: false},
		{text: "my favorite song is", want: false},
		{text: "i want the skin", want: false},
		{text: "gimme a sec", want: false},
		{text: "chat is he serious", want: false},
		{text: "what the hell is this", want: false},

		// Chinese: questions.
		{text: "主播今天播多久", want: true},
		{text: "这是什么游戏", want: true},
		{text: "怎么加入粉丝群", want: true},
		{text: "主播是哪里人", want: true},
		{text: "为什么不开麦", want: true},
		{text: "这个皮肤多少钱", want: true},
		{text: "几点下播", want: true},
		{text: "明天播吗", want: true},
		{text: "主播呢", want: true},
		{text: "能不能唱首歌", want: true},
		{text: "是不是换键盘了", want: true},
		{text: "可以加好友吗", want: true},
		{text: "谁做的封面", want: true},
		{text: "求歌名", want: true},
		{text: "键盘？", want: true},
		{text: "如何获得积分", want: true},
		{text: "主播用的耳机好不好", want: true},
		{text: "大家好！这首歌叫什么", want: true},
		{text: "@mira 什么时候开播", want: true, names: []string{"mira"}},
		{text: "推荐几个好玩的游戏", want: true},
		{text: "帮我看看这个配置", want: true},

		// Chinese: statements, reactions, greetings.
		{text: "好的", want: false},
		{text: "哈哈哈", want: false},
		{text: "666", want: false},
		{text: "太强了", want: false},
		{text: "真的假的", want: false},
		{text: "真的假的？", want: false},
		{text: "什么鬼", want: false},
		{text: "怎么可能", want: false},
		{text: "大家好", want: false},
		{text: "晚安", want: false},
		{text: "主播加油", want: false},
		{text: "我没什么事", want: false},
		{text: "什么都好", want: false},
		{text: "主播怎么这么强", want: false},
		{text: "我要求退款", want: false},
		{text: "几乎赢了", want: false},
		{text: "@bob 你什么时候来", want: false},
		{text: "哈哈哈？！", want: false},
	}
	for _, tt := range tests {
		d := Detector{Names: tt.names}
		got := d.Detect(tt.text)
		if got.Is != tt.want {
			t.Errorf("Detect(%q) = %v; want %v (why %q)", tt.text, got.Is, tt.want, got.Why)
		}
		if got.Lang != LangEnglish && got.Lang != LangChinese {
			t.Errorf("Detect(%q).Lang = %q; want en or zh", tt.text, got.Lang)
		}
		if got.Why == "" {
			t.Errorf("Detect(%q).Why is empty", tt.text)
		}
	}
}

// TestDetectWhy pins the reason for a few lines, since replay output shows
// it to moderators.
func TestDetectWhy(t *testing.T) {
	d := Detector{Names: []string{"mira"}}
	tests := []struct {
		text, want string
	}{
		{"pc specs?", "question mark"},
		{"whats the song", "wh-word"},
		{"is there a discord", "aux inversion"},
		{"tell me your specs", "request"},
		{"anyone know the discord", "indirect question"},
		{"明天播吗", "zh particle 吗"},
		{"主播用的什么键盘", "zh question word 什么"},
		{"有没有discord", "zh A-not-A"},
		{"请问下播时间", "zh request 请问"},
		{"@bob what time is it there", "addressed to another viewer"},
		{"hello chat", "greeting"},
		{"LUL", "emote only"},
		{"???", "no words"},
		{"is this real", "reaction"},
		{"真的假的", "reaction"},
		{"!discord", "command"},
		{"that was a great play", "statement"},
	}
	for _, tt := range tests {
		if got := d.Detect(tt.text).Why; got != tt.want {
			t.Errorf("Detect(%q).Why = %q; want %q", tt.text, got, tt.want)
		}
	}
}

// TestDetectNames checks that @-addressing the bot or the broadcaster keeps
// a question ours, in any letter case, while addressing anyone else does not.
func TestDetectNames(t *testing.T) {
	d := Detector{Names: []string{"ChatDeskBot", "@Mira"}}
	tests := []struct {
		text string
		want bool
	}{
		{"@chatdeskbot when is the next stream", true},
		{"@CHATDESKBOT, when is the next stream", true},
		{"@mira: is there a discord", true},
		{"when is the next stream @Mira", true},
		{"@mira @bob is there a discord", true},
		{"@bob is there a discord", false},
		{"is there a discord @bob", false},
	}
	for _, tt := range tests {
		if got := d.Detect(tt.text).Is; got != tt.want {
			t.Errorf("Detect(%q) = %v; want %v", tt.text, got, tt.want)
		}
	}
}

func TestDetectAllocs(t *testing.T) {
	d := Detector{Names: []string{"mira"}}
	for _, text := range benchLines {
		if n := testing.AllocsPerRun(50, func() { d.Detect(text) }); n != 0 {
			t.Errorf("Detect(%q) allocates %v times; want 0", text, n)
		}
	}
}

// benchLines are typical chat lines of about 40 bytes.
var benchLines = []string{
	"hey @mira what keyboard are you using rn?",
	"lol that was such a clean play KEKW KEKW",
	"anyone know when the next giveaway is??",
	"主播今天用的是什么键盘呀，好好看",
}

func BenchmarkDetect(b *testing.B) {
	d := Detector{Names: []string{"mira", "chatdeskbot"}}
	for i, name := range []string{"en-question", "en-statement", "en-indirect", "zh-question"} {
		text := benchLines[i]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Detect(text)
			}
		})
	}
}

// TestDecodeRune checks the inline decoder against the standard one over
// every lead byte of a three-byte sequence and every second byte, with
// third bytes at and around the edges of the continuation range.
func TestDecodeRune(t *testing.T) {
	for b0 := 0xe0; b0 <= 0xef; b0++ {
		for b1 := 0; b1 < 256; b1++ {
			for _, b2 := range []byte{0x00, 0x7f, 0x80, 0x9a, 0xbf, 0xc0, 0xff} {
				for _, s := range []string{string([]byte{byte(b0), byte(b1), b2}), string([]byte{byte(b0), byte(b1)})} {
					r, n := decodeRune(s)
					wr, wn := utf8.DecodeRuneInString(s)
					if r != wr || n != wn {
						t.Fatalf("decodeRune(%q) = %U, %d; want %U, %d", s, r, n, wr, wn)
					}
				}
			}
		}
	}
}
