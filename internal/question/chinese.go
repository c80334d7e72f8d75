package question

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// zhMarker is a word or particle that makes a Chinese clause a question or
// a request. Most count anywhere in a clause; final ones (呢, 么) only at its
// end, where they are particles rather than parts of other words. notBefore
// and notAfter list neighbours that turn the marker into something else:
// 没什么 ("nothing"), 什么都 ("everything"), 几乎 ("almost"), 要求
// ("demand").
type zhMarker struct {
	s         string
	why       string
	final     bool // only at the end of a clause
	start     bool // only at the start of a clause
	notBefore []string
	notAfter  []string
}

var zhMarkers = []zhMarker{
	{s: "吗", why: "zh particle 吗", notAfter: []string{"啡"}},
	{s: "呢", why: "zh particle 呢", final: true},
	{s: "么", why: "zh particle 么", final: true, notBefore: []string{"什", "怎", "这", "那", "多", "要"}},
	{s: "什么", why: "zh question word 什么", notBefore: []string{"没", "不"},
		notAfter: []string{"都", "也", "的"}},
	{s: "啥", why: "zh question word 啥", notBefore: []string{"没"}, notAfter: []string{"都", "也"}},
	{s: "怎么", why: "zh question word 怎么", notBefore: []string{"不"},
		notAfter: []string{"这么", "那么", "可能", "也", "都"}},
	{s: "怎样", why: "zh question word 怎样", notBefore: []string{"不"}},
	{s: "咋", why: "zh question word 咋"},
	{s: "为什么", why: "zh question word 为什么", notBefore: []string{"知道"}},
	{s: "为啥", why: "zh question word 为啥"},
	{s: "干嘛", why: "zh question word 干嘛"},
	{s: "如何", why: "zh question word 如何", notBefore: []string{"论", "管"}},
	{s: "哪", why: "zh question word 哪", notAfter: []string{"怕"}},
	{s: "几", why: "zh question word 几", notBefore: []string{"茶", "好", "这", "那"},
		notAfter: []string{"乎", "何", "个人"}},
	{s: "多少", why: "zh question word 多少", notBefore: []string{"或"}, notAfter: []string{"有点", "有些"}},
	{s: "多久", why: "zh question word 多久"},
	{s: "多大", why: "zh question word 多大"},
	{s: "多长", why: "zh question word 多长"},
	{s: "多远", why: "zh question word 多远"},
	{s: "多高", why: "zh question word 多高"},
	{s: "是否", why: "zh question word 是否"},
	{s: "能否", why: "zh question word 能否"},
	{s: "可否", why: "zh question word 可否"},
	{s: "谁", why: "zh question word 谁"},
	{s: "请问", why: "zh request 请问"},
	{s: "请教", why: "zh request 请教"},
	{s: "求", why: "zh request 求", notBefore: []string{"要", "追", "需", "祈", "乞", "讲", "力"}},
	{s: "帮我", why: "zh request 帮我"},
	{s: "帮忙", why: "zh request 帮忙"},
	{s: "帮帮", why: "zh request 帮帮"},
	{s: "推荐", why: "zh request 推荐"},
	{s: "介绍一下", why: "zh request 介绍一下"},
	{s: "介绍下", why: "zh request 介绍下"},
	{s: "告诉我", why: "zh request 告诉我"},
	{s: "给我", why: "zh request 给我"},
	{s: "想知道", why: "zh request 想知道"},
	{s: "想问", why: "zh request 想问"},
	{s: "问一下", why: "zh request 问一下"},
	{s: "问下", why: "zh request 问下"},
	{s: "有人知道", why: "zh request 有人知道"},
	{s: "有谁", why: "zh request 有谁"},
	{s: "麻烦你", why: "zh request 麻烦"},
	{s: "麻烦您", why: "zh request 麻烦"},
	{s: "麻烦帮", why: "zh request 麻烦"},
	{s: "辛苦您", why: "zh request 辛苦您", notAfter: []string{"了", "啦", "啊"}},
	{s: "辛苦你", why: "zh request 辛苦您", notAfter: []string{"了", "啦", "啊"}},
	{s: "翻译", why: "zh request 翻译"},
	{s: "在线等", why: "zh request 在线等"},
	{s: "很急", why: "zh request 急"},
	{s: "急求", why: "zh request 急"},
	{s: "下载", why: "zh request 下载"},
	{s: "全集", why: "zh request 全集"},
	{s: "全文", why: "zh request 全文"},
	{s: "全本", why: "zh request 全本"},
	{s: "网盘", why: "zh request 网盘"},
	{s: "电子书", why: "zh request 电子书"},
	{s: "链接", why: "zh request 链接"},
	{s: "打一", why: "zh riddle 打一"},
	{s: "还是", why: "zh choice 还是", notBefore: []string{"我", "你", "他", "她", "它", "们", "但", "可", "也", "就", "都"}},
	{s: "找个", why: "zh request 找"},
	{s: "找一", why: "zh request 找"},
	{s: "找下", why: "zh request 找"},
	{s: "下一句", why: "zh request 下一句"},
	{s: "上一句", why: "zh request 上一句"},
	{s: "简述", why: "zh request 简述"},
	{s: "解释", why: "zh request 解释"},
	{s: "列举", why: "zh request 列举"},
	{s: "写出", why: "zh request 写出"},
	{s: "说说", why: "zh request 说说"},
	{s: "讲讲", why: "zh request 讲讲"},
	{s: "请", why: "zh request 请", start: true, notAfter: []string{"客", "假", "进", "坐", "多多", "注意"}},
	{s: "猜一", why: "zh riddle 猜一"},
	// 弹幕 asks for things by naming them and a verb of handing over:
	// 群号发一下, 企鹅群来一个, 歌单分享下, or by waiting for them, 蹲个q群.
	// 再来一个 is an encore, not a request for information.
	{s: "发一下", why: "zh request 发一下"},
	{s: "发下", why: "zh request 发一下", final: true},
	{s: "分享一下", why: "zh request 分享一下"},
	{s: "分享下", why: "zh request 分享一下"},
	{s: "来一个", why: "zh request 来一个", final: true, notBefore: []string{"再"}},
	{s: "来个", why: "zh request 来一个", final: true, notBefore: []string{"再"}},
	{s: "蹲个", why: "zh request 蹲", start: true},
	{s: "蹲一个", why: "zh request 蹲", start: true},
	// Traditional characters: the question words whose form differs.
	{s: "嗎", why: "zh particle 吗", notAfter: []string{"啡"}},
	{s: "麼", why: "zh particle 么", final: true, notBefore: []string{"什", "甚", "怎", "這", "那", "多", "要"}},
	{s: "什麼", why: "zh question word 什么", notBefore: []string{"沒", "没", "不"},
		notAfter: []string{"都", "也", "的"}},
	{s: "甚麼", why: "zh question word 什么", notBefore: []string{"沒", "没", "不"},
		notAfter: []string{"都", "也", "的"}},
	{s: "怎麼", why: "zh question word 怎么", notBefore: []string{"不"},
		notAfter: []string{"這麼", "那麼", "可能", "也", "都"}},
	{s: "怎樣", why: "zh question word 怎样", notBefore: []string{"不"}},
	{s: "為什麼", why: "zh question word 为什么", notBefore: []string{"知道"}},
	{s: "為啥", why: "zh question word 为啥"},
	{s: "幾", why: "zh question word 几", notBefore: []string{"茶", "好", "這", "那"},
		notAfter: []string{"乎", "何", "個人"}},
	{s: "誰", why: "zh question word 谁"},
	{s: "請問", why: "zh request 请问"},
}

// zhNotEnders are the characters before a clause-final 不 or 没 that make
// it a statement rather than a V-不 question: 还没 ("not yet"), 才不, 也不,
// 都没.
const zhNotEnders = "还還也都才并並就绝絕从從决決一差要可别別再"

// zhByFirst indexes zhMarkers by their first rune, so a clause is read
// once; zhFirst is a bitmap of those runes over the main CJK block, which
// lets the common character that starts no marker skip the map.
var zhByFirst, zhFirst = func() (map[rune][]zhMarker, *[(0xa000 - 0x4e00) / 64]uint64) {
	m := make(map[rune][]zhMarker)
	var bits [(0xa000 - 0x4e00) / 64]uint64
	for _, mk := range zhMarkers {
		r, _ := utf8.DecodeRuneInString(mk.s)
		m[r] = append(m[r], mk)
		if r >= 0x4e00 && r < 0xa000 {
			bits[(r-0x4e00)/64] |= 1 << ((r - 0x4e00) % 64)
		}
	}
	return m, &bits
}()

// mayStartMarker reports whether some marker might start with r.
func mayStartMarker(r rune) bool {
	if r >= 0x4e00 && r < 0xa000 {
		return zhFirst[(r-0x4e00)/64]&(1<<((r-0x4e00)%64)) != 0
	}
	return r >= 0x3400
}

// zhReactions are whole clauses, with trailing modal particles and
// laughter removed, that react rather than ask. 真的假的 ("real or fake?")
// is one: in chat it is amazement at what just happened, not a request to
// verify anything, and no FAQ entry answers it.
var zhReactions = []string{
	"真的假的", "真的吗", "真假", "是吗", "是嘛", "不会吧", "不是吧", "什么", "啥", "蛤", "嗯", "哈",
	"什么鬼", "搞什么", "搞什么鬼", "怎么可能", "开什么玩笑", "什么情况", "为什么", "为啥", "凭什么",
	"干嘛", "谁问你了", "谁在乎", "谁懂啊", "谁懂", "有没有搞错", "你没事吧", "没事吧",
	"谁知道", "谁知道呢", "咋了", "怎么了", "对吧", "是吧", "好吗", "行吗", "懂吗",
}

// zhReactionMaxLen is the length in bytes of the longest of zhReactions;
// longer clauses need not be compared with them.
var zhReactionMaxLen = func() int {
	n := 0
	for _, x := range zhReactions {
		n = max(n, len(x))
	}
	return n
}()

// zhGreetings are whole clauses that greet.
var zhGreetings = []string{
	"你好", "您好", "大家好", "主播好", "晚上好", "早上好", "下午好", "中午好", "早", "早安", "晚安",
	"拜拜", "再见", "哈喽", "嗨", "来了", "我来了",
}

// zhTrailing are characters dropped from the end of a clause before it is
// compared with the lists above.
const zhTrailing = "啊呀吧哈啦哦噢喔嘿~～…"

// detectZh applies the Chinese rules to each clause of text.
func detectZh(text string) (string, bool) {
	why := whyStatement
	for len(text) > 0 {
		i := 0
		for i < len(text) {
			r, size := decodeRune(text[i:])
			if isZhStop(r) {
				break
			}
			i += size
		}
		// The whole run of punctuation ends the clause, so that "？！"
		// reads as an exclamation.
		q, bang := false, false
		j := i
		for j < len(text) {
			r, size := decodeRune(text[j:])
			if !isZhStop(r) {
				break
			}
			q = q || r == '?' || r == '？'
			bang = bang || r == '!' || r == '！'
			j += size
		}
		v, ok := zhClause(text[:i], q && !bang)
		if ok {
			return v, true
		}
		if v == whyReaction || v == whyGreeting && why == whyStatement {
			why = v
		}
		text = text[j:]
	}
	return why, false
}

// isZhStop reports punctuation and spaces that end a clause.
func isZhStop(r rune) bool {
	switch r {
	case '?', '？', '!', '！', '，', '。', '；', '：', '、', ',', '.', ';', ':', '~', '～', '…':
		return true
	}
	// Nothing from the CJK punctuation block up is white space; most of
	// what reaches here is Han, so skip the table.
	return r < 0x3001 && unicode.IsSpace(r)
}

// zhClause applies the Chinese rules to one clause; q says it ended in a
// question mark.
func zhClause(c string, q bool) (string, bool) {
	c = trimZh(c)
	if c == "" {
		return whyStatement, false
	}
	if len(c) <= zhReactionMaxLen {
		for _, x := range zhReactions {
			if c == x {
				return whyReaction, false
			}
		}
	}
	if isLaughter(c) {
		return whyReaction, false
	}
	// A greeting is a short clause: a greeting word, perhaps after a name
	// ("主播晚上好").
	if len(c) <= 7*3 {
		for _, x := range zhGreetings {
			if c == x || len(x) > 3 && strings.HasSuffix(c, x) {
				return whyGreeting, false
			}
		}
	}
	if q {
		return whyQuestionMark, true
	}
	var prev rune // the rune before i
	for i := 0; i < len(c); {
		r, size := decodeRune(c[i:])
		if mayStartMarker(r) {
			for _, mk := range zhByFirst[r] {
				if zhMatch(c, i, mk) {
					return mk.why, true
				}
			}
		}
		// A-not-A: 是不是, 好不好, 有没有, 能不能 … ask a yes/no question
		// by offering both answers.
		if (r == '不' || r == '没') && prev != '一' && prev != '不' && prev != '没' && isHan(prev) {
			if next, _ := decodeRune(c[i+size:]); next == prev {
				return whyANotA, true
			}
		}
		prev = r
		i += size
	}
	// V-不 and V-没: 弹幕 drops the second half of A-not-A and the question
	// mark, 主播接商单不, 出周边了没, 有对象没有.
	if isFinalNot(c) {
		return whyFinalNot, true
	}
	return whyStatement, false
}

// isFinalNot reports whether a clause of at least three characters ends in
// 不, 没 or 没有 after a character that leaves it a question.
func isFinalNot(c string) bool {
	for _, suf := range []string{"没有", "沒有", "不", "没", "沒"} {
		if !strings.HasSuffix(c, suf) {
			continue
		}
		head := c[:len(c)-len(suf)]
		if utf8.RuneCountInString(head) < 2 {
			return false
		}
		prev, _ := utf8.DecodeLastRuneInString(head)
		return (isHan(prev) || prev < utf8.RuneSelf && unicode.IsLetter(prev)) && !strings.ContainsRune(zhNotEnders, prev)
	}
	return false
}

// zhMatch reports whether marker mk occurs at c[i:] in a reading that asks.
func zhMatch(c string, i int, mk zhMarker) bool {
	if !strings.HasPrefix(c[i:], mk.s) {
		return false
	}
	after := c[i+len(mk.s):]
	if mk.final && after != "" || mk.start && i != 0 {
		return false
	}
	for _, b := range mk.notBefore {
		if strings.HasSuffix(c[:i], b) {
			return false
		}
	}
	for _, a := range mk.notAfter {
		if strings.HasPrefix(after, a) {
			return false
		}
	}
	return true
}

// trimZh removes trailing modal particles, laughter marks, tildes and
// bracketed emotes ([doge]), so that "真的假的啊~" compares equal to
// "真的假的" and "好不好呀" ends in its question.
func trimZh(c string) string {
	for len(c) > 0 {
		if strings.HasSuffix(c, "]") {
			if i := strings.LastIndexByte(c, '['); i >= 0 {
				c = c[:i]
				continue
			}
		}
		r, size := utf8.DecodeLastRuneInString(c)
		if !strings.ContainsRune(zhTrailing, r) && !unicode.IsSpace(r) {
			break
		}
		c = c[:len(c)-size]
	}
	return c
}

// isLaughter reports clauses made only of laughter (哈, 嘿, 呵, 嘻, 笑, 草)
// or of the digit 6 ("666", chat's "nice play").
func isLaughter(c string) bool {
	for _, r := range c {
		switch r {
		case '哈', '嘿', '呵', '嘻', '6', '草', '笑':
		default:
			return false
		}
	}
	return true
}
