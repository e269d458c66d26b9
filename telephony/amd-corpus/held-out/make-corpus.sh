#!/usr/bin/env bash
# Makes the HELD-OUT answering-machine detection corpus: greetings the
# detector's thresholds were never tuned on (those were tuned on
# telephony/amd-corpus/wav/, made by ../make-corpus.sh). Do not tune on this
# one: it is there to measure what the tuning did not see.
#
#   telephony/amd-corpus/held-out/make-corpus.sh      (needs espeak-ng and sox)
#
# What differs from the tuning corpus:
#   - voices: espeak-ng's named variants (Annie, Alex, klatt, grandpa, ...; the
#     tuning corpus used only m1-m7 and f1-f4), accents it did not have (en-gb-
#     scotland, en-029, en-us-nyc, en-gb-x-rp) and languages it did not have
#     (French, German, Italian, Dutch), speeds from 115 to 250 words a minute;
#   - line noise: white, brown or pink, at a level drawn for each file from a
#     seeded generator (SEED below), not chosen by hand;
#   - G.711: every file goes through the codecs a call can cross: µ-law once,
#     A-law once, µ-law → A-law → µ-law (a tandem through a transcoding
#     gateway), or a µ-law round trip stored as 16-bit PCM;
#   - greetings: short and long ones from people ("Hello, this is Peter, who's
#     calling?"), machines with beeps of other pitches and lengths, a double
#     beep, messages with long pauses, and lines where nobody speaks over
#     other noises.
#
# Writes wav/<name>.wav and labels.tsv in the same format as ../labels.tsv.
# Deterministic (espeak-ng is; sox runs with -R and -D; the noise levels come
# from the seeded generator): rerunning gives the same bytes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/wav"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"
labels="$here/labels.tsv"
printf 'file\texpected\tspeech_start_ms\tspeech_end_ms\tlang\ttext\n' > "$labels"

SOX=(sox -V1 -R -D)
FMT=(-r 8000 -b 16 -c 1 -e signed-integer)

# Noise beds, 60 s each, in the telephone band, about -50 dBFS RMS before the drawn gain.
for kind in white brown pink; do
  "${SOX[@]}" -n "${FMT[@]}" "$tmp/bed-$kind.wav" synth 60 "${kind}noise" highpass 300 lowpass 3400 gain -n -38
done
noise_offset=0

# The seeded generator for noise levels: a 31-bit LCG; level_db draws a whole dB in [MIN, MAX].
SEED=1709
rng=$SEED
level_db() {
  rng=$(( (rng * 1103515245 + 12345) % 2147483648 ))
  echo $(( $1 + (rng / 65536) % ($2 - $1 + 1) ))
}

ms() { soxi -D "$1" | awk '{ printf "%d", $1 * 1000 + 0.5 }'; }
secs() { awk "BEGIN { print $1 / 1000 }"; }

# G.711 on the way: CODEC is ulaw, alaw, tandem (µ-law → A-law → µ-law) or pcm-after-ulaw.
encode() {
  local codec="$1" in="$2" dest="$3"
  case "$codec" in
    ulaw) "${SOX[@]}" "$in" -e u-law "$dest" ;;
    alaw) "${SOX[@]}" "$in" -e a-law "$dest" ;;
    tandem)
      "${SOX[@]}" "$in" -e u-law "$tmp/c1.wav"
      "${SOX[@]}" "$tmp/c1.wav" -e a-law "$tmp/c2.wav"
      "${SOX[@]}" "$tmp/c2.wav" -e u-law "$dest"
      ;;
    pcm-after-ulaw)
      "${SOX[@]}" "$in" -e u-law "$tmp/c1.wav"
      "${SOX[@]}" "$tmp/c1.wav" -e signed-integer -b 16 "$dest"
      ;;
    *) echo "unknown codec: $codec" >&2; exit 1 ;;
  esac
}

# make NAME EXPECTED LANG VOICE SPEED PITCH LEAD_MS PEAK_DB NOISE CODEC TAIL_MS PARTS...
#   NOISE: white, brown or pink (its level is drawn); TAIL_MS: silence kept after
#   the speech, or "machine" (the file ends 0.5 s after the message or at the cut);
#   PARTS: "say:TEXT", "gap:MS", "beep:HZ:MS", "click:MS".
make() {
  local name="$1" expected="$2" lang="$3" voice="$4" speed="$5" pitch="$6" lead="$7" peak="$8" noise="$9" codec="${10}" tail="${11}"
  shift 11
  local parts=() i=0 text=""
  for part in "$@"; do
    i=$((i + 1))
    local seg="$tmp/$name-$i.wav"
    case "$part" in
      say:*)
        espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$tmp/raw.wav" "${part#say:}"
        "${SOX[@]}" "$tmp/raw.wav" "${FMT[@]}" "$seg" silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse
        text="$text${text:+ }${part#say:}"
        ;;
      gap:*) "${SOX[@]}" -n "${FMT[@]}" "$seg" trim 0 "$(secs "${part#gap:}")" ;;
      beep:*)
        local spec="${part#beep:}"
        "${SOX[@]}" -n "${FMT[@]}" "$seg" synth "$(secs "${spec#*:}")" sine "${spec%%:*}" vol 0.4
        text="$text${text:+ }<beep ${spec%%:*} Hz>"
        ;;
      click:*)
        "${SOX[@]}" -n "${FMT[@]}" "$seg" synth "$(secs "${part#click:}")" whitenoise vol 0.3
        text="$text${text:+ }<click>"
        ;;
      *) echo "unknown part: $part" >&2; exit 1 ;;
    esac
    parts+=("$seg")
  done
  local speech_start=0 speech_end=0 total
  if [ "${#parts[@]}" -gt 0 ]; then
    "${SOX[@]}" "${parts[@]}" "$tmp/speech.wav" gain -n "$peak"
    speech_start="$lead"
    speech_end=$((lead + $(ms "$tmp/speech.wav")))
    if [ "$tail" = machine ]; then
      total=$((speech_end + 500))
      [ "$total" -gt $((lead + MACHINE_CUT_MS)) ] && total=$((lead + MACHINE_CUT_MS))
    else
      total=$((speech_end + tail))
    fi
    "${SOX[@]}" "$tmp/speech.wav" "$tmp/placed.wav" pad "$(secs "$lead")" "$(awk "BEGIN { t = ($total - $speech_end) / 1000; print (t > 0 ? t : 0) }")" \
      trim 0 "$(secs "$total")"
  else
    total="$tail"
    "${SOX[@]}" -n "${FMT[@]}" "$tmp/placed.wav" trim 0 "$(secs "$total")"
  fi
  local level
  level="$(level_db -14 16)"
  "${SOX[@]}" "$tmp/bed-$noise.wav" "$tmp/noise.wav" trim "$(secs "$noise_offset")" "$(secs "$total")" gain "$level"
  noise_offset=$(( (noise_offset + total + 211) % 50000 ))
  "${SOX[@]}" -m -v 1 "$tmp/placed.wav" -v 1 "$tmp/noise.wav" "${FMT[@]}" "$tmp/line.wav" highpass 200 lowpass 3400
  encode "$codec" "$tmp/line.wav" "$out/$name.wav"
  [ "$speech_end" -gt "$total" ] && speech_end="$total"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name.wav" "$expected" "$speech_start" "$speech_end" "$lang" "$text" >> "$labels"
}

H=1200
M=machine
MACHINE_CUT_MS=3800

# ---- people: short greetings, then they wait
#    name                     exp   lang voice               wpm pitch lead peak noise codec          tail parts
make human-gb-yes             human en   en-gb-scotland+Annie 160 60    450  -4   pink  ulaw           $H  "say:Yes?"
make human-us-hello-alex      human en   en-us-nyc+Alex       210 45    300  -6   white alaw           $H  "say:Hello?"
make human-us-hello-slow      human en   en-us+grandpa        115 35    700  -5   brown tandem         $H  "say:Hello?"
make human-029-hello          human en   en-029+Andy          190 50    550  -8   pink  pcm-after-ulaw $H  "say:Hello,"
make human-rp-peter           human en   en-gb-x-rp+Michael   175 45    400  -4   white ulaw           $H  "say:Peter here."
make human-us-yeah-fast       human en   en-us+steph          250 70    350  -7   brown alaw           $H  "say:Yeah, hello?"
make human-gb-hello-klatt     human en   en-gb+klatt          165 50    900  -5   pink  tandem         $H  "say:Hello?"
make human-us-hi-pause        human en   en-us+linda          170 65    500  -6   white ulaw           $H  "say:Hi," "gap:350" "say:it's Jo."
make human-us-quiet           human en   en-us+max            170 50    600  -22  brown ulaw           $H  "say:Hello?"
make human-gb-click           human en   en-gb+robert         170 45    250  -4   pink  alaw           $H  "click:30" "gap:250" "say:Yes, hello?"
make human-fr-allo            human fr   fr-fr+Annie          165 60    400  -5   white ulaw           $H  "say:Allô?"
make human-fr-oui             human fr   fr-fr+Alex           180 50    600  -6   pink  alaw           $H  "say:Oui," "gap:150" "say:allô?"
make human-be-allo            human fr   fr-be+grandpa        140 40    350  -4   brown tandem         $H  "say:Allô, bonjour."
make human-de-hallo           human de   de+Michael           170 45    500  -5   pink  ulaw           $H  "say:Hallo?"
make human-de-ja              human de   de+anika             190 65    800  -7   white pcm-after-ulaw $H  "say:Ja," "gap:200" "say:bitte?"
make human-de-name            human de   de+iven              160 50    300  -4   brown alaw           $H  "say:Müller."
make human-it-pronto          human it   it+Marco             175 50    450  -5   pink  ulaw           $H  "say:Pronto?"
make human-it-pronto-f        human it   it+Andrea            185 65    650  -9   white tandem         $H  "say:Pronto," "gap:200" "say:chi parla?"
make human-nl-hallo           human nl   nl+john              170 45    400  -4   brown ulaw           $H  "say:Hallo?"
make human-nl-met             human nl   nl+belinda           165 60    550  -6   pink  alaw           $H  "say:Met Anna."
make human-es-si-pablo        human es   es+pablo             180 50    350  -5   white ulaw           $H  "say:¿Sí?"
make human-pt-alo-diogo       human pt   pt+Diogo             170 45    500  -6   brown pcm-after-ulaw $H  "say:Está lá?"
make human-us-hello-hello     human en   en-us+paul           175 50    400  -5   pink  tandem         1000 "say:Hello?" "gap:1100" "say:Hello?"
# ---- people: long greetings (a business line, a polite answer)
make human-us-long-peter      human en   en-us+edward         185 45    400  -4   white ulaw           $H  "say:Hello, this is Peter, who's calling?"
make human-gb-long-office     human en   en-gb+aunty          180 60    500  -5   pink  alaw           $H  "say:Good afternoon, accounts, Sarah speaking."
make human-de-long            human de   de+boris             175 45    350  -5   brown ulaw           $H  "say:Guten Tag, Schneider am Apparat."
make human-fr-long            human fr   fr-fr+michel         170 50    450  -6   white tandem         $H  "say:Bonjour," "gap:300" "say:Martin à l'appareil."

# ---- machines
make machine-us-nyc           machine en en-us-nyc+Gene       175 50    600  -4   pink  ulaw           $M  "say:You've reached Tony. I'm not here right now, so leave me a message and I'll get back to you."
make machine-gb-scot          machine en en-gb-scotland+aunty 165 60    500  -5   white alaw           $M  "say:Hello, this is the Campbell residence. Sorry we missed your call." "gap:300" "beep:1200:300"
make machine-029              machine en en-029+Andy          180 50    700  -6   brown tandem         $M  "say:Thank you for calling Island Travel. All our agents are busy at the moment."
make machine-rp-slow          machine en en-gb-x-rp+grandpa   120 35    400  -5   pink  pcm-after-ulaw $M  "say:This is Arthur. Please leave a message."
make machine-us-fast          machine en en-us+steph          250 70    300  -7   white ulaw           $M  "say:Hey it's Kim leave a message after the beep and I'll call you right back bye."
make machine-us-pauses        machine en en-us+linda          165 65    500  -5   brown alaw           $M  "say:Hi." "gap:600" "say:You've reached Linda." "gap:600" "say:Leave a message."
make machine-us-beep-1700     machine en en-us+max            175 50    450  -4   pink  tandem         $M  "say:Leave your message." "gap:250" "beep:1700:400"
make machine-us-beep-600      machine en en-us+robert         170 45    550  -5   white ulaw           $M  "say:Please record your message." "gap:300" "beep:600:500"
make machine-us-double-beep   machine en en-us+klatt          170 50    400  -6   brown alaw           $M  "say:At the tone." "gap:300" "beep:1000:150" "gap:100" "beep:1000:150"
make machine-beep-short       machine en en-us+klatt          170 50    600  -4   pink  pcm-after-ulaw $M  "beep:1400:250"
make machine-us-hello-trick   machine en en-us+Michael        170 45    450  -5   white tandem         $M  "say:Hello?" "gap:600" "say:Ha, got you, I'm not here, leave a message."
make machine-us-quiet         machine en en-us+paul           170 50    500  -20  brown ulaw           $M  "say:You have reached the voicemail box of two one two, five five five, zero one nine nine."
make machine-fr-1             machine fr fr-fr+Annie          170 60    600  -4   pink  alaw           $M  "say:Bonjour, vous êtes bien chez Claire. Je ne suis pas disponible, laissez-moi un message."
make machine-fr-beep          machine fr fr-ch+michel         165 50    400  -5   white ulaw           $M  "say:Laissez votre message après le bip." "gap:300" "beep:1000:400"
make machine-fr-operator      machine fr fr-be+Alex           175 45    500  -6   brown tandem         $M  "say:Votre correspondant n'est pas joignable pour le moment. Veuillez rappeler plus tard."
make machine-de-1             machine de de+Michael           170 45    500  -4   pink  ulaw           $M  "say:Hallo, hier ist der Anrufbeantworter von Familie Weber. Bitte sprechen Sie nach dem Signalton."
make machine-de-beep          machine de de+anika             180 65    700  -6   white alaw           $M  "say:Bitte sprechen Sie jetzt." "gap:300" "beep:800:600"
make machine-de-mailbox       machine de de+iven              165 50    400  -5   brown pcm-after-ulaw $M  "say:Die Mailbox ist zurzeit nicht erreichbar."
make machine-it-1             machine it it+Marco             175 50    600  -4   pink  tandem         $M  "say:Ciao, sono Marco, al momento non posso rispondere, lasciate un messaggio."
make machine-it-beep          machine it it+Andrea            170 65    450  -5   white ulaw           $M  "say:Lasciate un messaggio dopo il segnale." "gap:300" "beep:1100:500"
make machine-nl-1             machine nl nl+john              170 45    500  -5   brown alaw           $M  "say:U bent verbonden met de voicemail van Jan. Spreek een bericht in na de piep."
make machine-es-pablo         machine es es-419+pablo         175 50    400  -6   pink  ulaw           $M  "say:Hola, comunícate más tarde, en este momento no estoy disponible."
make machine-pt-diogo         machine pt pt+Diogo             165 45    550  -5   white tandem         $M  "say:Olá, está a ligar para o Diogo. Deixe a sua mensagem depois do sinal." "gap:300" "beep:1000:500"
make machine-us-whisper-note  machine en en-us+whisperf       170 60    500  -4   brown ulaw           $M  "say:Hi, you've reached Sam's phone, please leave your name and number and I'll call back."

# ---- nobody speaks
make silence-white-line       unknown -  en                   170 50    0    -3   white ulaw           3000
make silence-brown-line       unknown -  en                   170 50    0    -3   brown alaw           3000
make silence-pink-tandem      unknown -  en                   170 50    0    -3   pink  tandem         3000
make silence-white-pcm        unknown -  en                   170 50    0    -3   white pcm-after-ulaw 3000
make silence-brown-long       unknown -  en                   170 50    0    -3   brown ulaw           4000
