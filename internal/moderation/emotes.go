package moderation

import (
	"strings"
	"sync"
)

// builtinEmotes are emote names common across Twitch channels: Twitch's
// global emotes and the best-known BTTV, FFZ and 7TV ones. Third-party
// emotes arrive as plain words, so without these names "OMEGALUL OMEGALUL"
// would look like shouting. Channels add their own with the emotes
// setting.
const builtinEmotes = `
4Head ANELE BabyRage BibleThump BloodTrail BrokeBack CoolCat CoolStoryBob CorgiDerp DansGame
DatSheffy DendiFace DoritosChip EleGiggle FailFish FrankerZ FUNgineer GivePLZ HeyGuys HotPokket
Jebaited Kappa KappaPride Keepo Kreygasm LUL MingLee MrDestructoid NotLikeThis OSFrog OhMyDog
OpieOP PJSalt PogChamp PunOko ResidentSleeper SMOrc SeemsGood SSSsss SwiftRage TakeNRG TheIlluminati
TriHard TwitchUnity VoHiYo WutFace Kippa KomodoHype NomNom PopCorn BOP CurseLit GlitchCat HSWP
PartyHat RaccAttack SoonerLater StinkyCheese TPFufun TwitchLit TehePelo KonCha PowerUpL PowerUpR
CrreamAwk DarkMode LUL BegWan NinjaGrumpy PopNemo Poooound SingsNote SingsMic TwitchConHYPE
BatChest DinoDance GlitchLit HolidayPresent Squid1 Squid2 Squid3 Squid4 GoldPLZ ItsBoshyTime
KEKW OMEGALUL LULW KEKL PepeHands PepeLaugh Pepega monkaS monkaW monkaEyes FeelsBadMan FeelsGoodMan
FeelsOkayMan FeelsStrongMan FeelsWeirdMan FeelsBirthdayMan PogU POGGERS Poggers POGGIES PagChomp
PauseChamp WeirdChamp forsenCD widepeepoHappy widepeepoSad peepoHappy peepoSad peepoClap peepoLeave
Sadge Madge Aware Clueless COPIUM Copium HOPIUM Hopium ICANT Stare Deadge Bedge Chatting Sure
catJAM pepeD pepeJAM PepeJam EZ Clap Clap2 HYPERS HYPERCLAP ppHop ppL AYAYA monkaHmm 5Head 3Head
SillyChamp gachiGASM gachiBASS gachiHYPER CiGrip sumSmash D: haHAA NaM TriDance SourPls
ppOverheat WAYTOODANK OMEGADANCE pepeMeltdown BOOBA GIGACHAD GIGA Gigachad PepoG modCheck
NOPERS NODDERS YEP NOP nymnCorn xqcL LETSGO LETSGOO WICKED Okayge Smadge Susge Hmm HmmSip
catKISS RAGEY PogO KEKWait KEKHeim OMEGALULiguess pepeLaugh PepeLa PeepoGlad peepoGlad
AlienPls AlienDance BBoomer BOOMER ZOOMER TeaTime FeelsDankMan WeirdDude FeelsLagMan LULE
OkaygeBusiness PETTHEPEPO Kapp KappaHD MiniK KappaRoss KappaClaus KappaWealth GoldenKappa
TableHere FlipThis DxCat BCWarrior PMSTwin PRChase ShadyLulu ThankEgg TwitchRPG UWot UnSane
NotATK PJSugar FBtouchdown RalpherZ ArsonNoSexy AsexualPride BisexualPride GayPride LesbianPride
TransgenderPride PansexualPride IntersexPride NonbinaryPride GenderFluidPride MercyWing1 MercyWing2
`

// builtinEmoteSet is builtinEmotes as a set, built once per process and
// only read after: every channel's engine looks words up in the same one.
var builtinEmoteSet = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, name := range strings.Fields(builtinEmotes) {
		m[name] = true
	}
	return m
})

// emoteNames are the emote names one channel knows: the built-in ones,
// shared by all channels, and the channel's own.
type emoteNames struct {
	builtin map[string]bool
	extra   map[string]bool // nil when the channel adds none
}

// has reports whether word is an emote name.
func (n emoteNames) has(word string) bool { return n.builtin[word] || n.extra[word] }

// knownEmotes are the built-in emote names plus extra; only the extra
// names that are not built in take memory of their own.
func knownEmotes(extra []string) emoteNames {
	n := emoteNames{builtin: builtinEmoteSet()}
	for _, name := range extra {
		if name = strings.TrimSpace(name); name != "" && !n.builtin[name] {
			if n.extra == nil {
				n.extra = map[string]bool{}
			}
			n.extra[name] = true
		}
	}
	return n
}
