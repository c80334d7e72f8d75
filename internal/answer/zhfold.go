package answer

import "strings"

// Chinese chat writes the same question many ways: traditional characters
// (會講杭州話嗎) and 网络用语 (咋, 啥, 肿么). foldZh rewrites a line to
// the plain simplified form the examples are usually written in, on both
// sides of a match, so that 咋进群 and 怎么进群 share their characters.
// The tables are small on purpose: the most common traditional characters
// whose simplified form differs, and the chat spellings of question words.

// zhTraditional and zhSimplified pair the characters rune by rune.
const (
	zhTraditional = "來係倆個們備傳債傷僅價儀億優兒兩則剛創劃劇劍動務勞勢勳區協參員問啟單嗎嚴國圍園圓圖團報場塊壓壞夢奪妳婦媽學實寧審寫寵寶將專尋對導層屬島師帳帶幫幾廠廣廳張彈後從愛態憶應戀戰戲戶掃掛揚換揮損搖搶撈撥擇擊擋擔據擠擬擴擺攝攤斷時書會東條業極樂樓標樣橋機權歐歡歲歷歸殺殼氣況湯準滅漢漲濟瀏灣為無熱燈燒爭獎獨現環瓊產畢畫當發盡盤確碼禮種稱穩窩競筆節範簡紀約紅純紙級細紹終組結絕絡給統絲經綠維網緊線編練縣縮總績織繼續義習聯聲職聽腦臉臺與興舉舊艦莊華萬葉蓋薦藍藝藥蘇蘋處號蟲術衛裏補裝裡複見規視親覺覽觀訂計訊討記訪設許評詞試詩話該詳認語誤說誰課調談請論講謝證識譯議護讀變讓讚豐貓貝負財貨買費貼資賣質購賽贏趕車軍軟較載輕輸轉辦農這連週進遊運過達遠適選遺還邊鄉鄰醫釋針銀銷鋼錄錢錯錶鍋鍵鎖鏡鐘鑰長門閉開閒間閱闆關陰陽隊階際隨險隱隻雖雙雜雞離難雲電靈靜韓響頁頂項順須預頓領頭頻顆題額顏願類顧顯風飛飯飲餅養餘館餵饞馬騎驗驚髒體髮鬆鬍鬥鬧魚鮮鳥鴨鵝鹹麗麥麵麼麽黃點齊齒齡龍龜"
	zhSimplified  = "来系俩个们备传债伤仅价仪亿优儿两则刚创划剧剑动务劳势勋区协参员问启单吗严国围园圆图团报场块压坏梦夺你妇妈学实宁审写宠宝将专寻对导层属岛师账带帮几厂广厅张弹后从爱态忆应恋战戏户扫挂扬换挥损摇抢捞拨择击挡担据挤拟扩摆摄摊断时书会东条业极乐楼标样桥机权欧欢岁历归杀壳气况汤准灭汉涨济浏湾为无热灯烧争奖独现环琼产毕画当发尽盘确码礼种称稳窝竞笔节范简纪约红纯纸级细绍终组结绝络给统丝经绿维网紧线编练县缩总绩织继续义习联声职听脑脸台与兴举旧舰庄华万叶盖荐蓝艺药苏苹处号虫术卫里补装里复见规视亲觉览观订计讯讨记访设许评词试诗话该详认语误说谁课调谈请论讲谢证识译议护读变让赞丰猫贝负财货买费贴资卖质购赛赢赶车军软较载轻输转办农这连周进游运过达远适选遗还边乡邻医释针银销钢录钱错表锅键锁镜钟钥长门闭开闲间阅板关阴阳队阶际随险隐只虽双杂鸡离难云电灵静韩响页顶项顺须预顿领头频颗题额颜愿类顾显风飞饭饮饼养余馆喂馋马骑验惊脏体发松胡斗闹鱼鲜鸟鸭鹅咸丽麦面么么黄点齐齿龄龙龟"
)

var zhFold = buildZhFold()

func buildZhFold() *strings.Replacer {
	t, s := []rune(zhTraditional), []rune(zhSimplified)
	pairs := make([]string, 0, 2*len(t)+2*len(zhSlang))
	for i := range t {
		pairs = append(pairs, string(t[i]), string(s[i]))
	}
	// Longer spellings first: a Replacer tries its pairs in order at each
	// position.
	for _, p := range zhSlang {
		pairs = append(pairs, p[0], p[1])
	}
	return strings.NewReplacer(pairs...)
}

// zhSlang are chat spellings of question and function words.
var zhSlang = [][2]string{
	{"肿么", "怎么"}, {"神马", "什么"}, {"木有", "没有"}, {"咋样", "怎么样"}, {"咋", "怎么"},
	{"啥", "什么"}, {"捏", "呢"}, {"哪儿", "哪里"}, {"哪嘞", "哪里"}, {"莫得", "没有"}, {"冇", "没有"},
}

// foldZh applies the folding to a Chinese line.
func foldZh(s string) string { return zhFold.Replace(s) }
