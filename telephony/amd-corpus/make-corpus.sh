#!/usr/bin/env bash
# Makes the answering-machine detection corpus: synthetic greetings as a
# callee would say them when answering, over a telephone line.
#
#   telephony/amd-corpus/make-corpus.sh      (needs espeak-ng and sox)
#
# Writes wav/<name>.wav (8 kHz µ-law WAV, as G.711 carries it) and labels.tsv:
#   file  expected  speech_start_ms  speech_end_ms  lang  text
# expected is what a good detector answers: human, machine, or unknown (nobody
# speaks). speech_end_ms is where the callee stops talking (for humans: the
# detector's decision time is measured from there).
#
# Deterministic: espeak-ng is; sox runs with -R (fixed noise seed) and -D (no
# dither), and each file takes its line noise from its own offset into one
# noise bed. Rerunning gives the same bytes, so the committed files only change
# when this script does.
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

# Line noise: 90 s of pink noise in the telephone band, about -50 dBFS RMS.
"${SOX[@]}" -n "${FMT[@]}" "$tmp/noise-bed.wav" synth 90 pinknoise highpass 300 lowpass 3400 gain -n -38
noise_offset=0

# duration of a WAV in ms
ms() { soxi -D "$1" | awk '{ printf "%d", $1 * 1000 + 0.5 }'; }

# make NAME EXPECTED LANG VOICE SPEED PITCH LEAD_MS PEAK_DB NOISE_DB TAIL_MS PARTS...
#   VOICE: an espeak-ng voice (en+f3, pt-br+m2, ...); PEAK_DB: speech peak level (dBFS);
#   NOISE_DB: line noise gain against the bed (0 ≈ -50 dBFS RMS; +10 louder);
#   TAIL_MS: silence kept after the speech (the file ends there), or "machine" (see M);
#   PARTS: "say:TEXT", "gap:MS" (a pause), "beep:HZ:MS" (a voicemail tone),
#          "chord:MS" (music), "click:MS" (a knock or breath on the handset).
make() {
  local name="$1" expected="$2" lang="$3" voice="$4" speed="$5" pitch="$6" lead="$7" peak="$8" noise="$9" tail="${10}"
  shift 10
  local parts=() i=0 text=""
  for part in "$@"; do
    i=$((i + 1))
    local seg="$tmp/$name-$i.wav"
    case "$part" in
      say:*)
        espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$tmp/raw.wav" "${part#say:}"
        # espeak pads its output; cut to the speech so pauses are what we ask for
        "${SOX[@]}" "$tmp/raw.wav" "${FMT[@]}" "$seg" silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse
        text="$text${text:+ }${part#say:}"
        ;;
      gap:*)
        "${SOX[@]}" -n "${FMT[@]}" "$seg" trim 0 "$(awk "BEGIN { print ${part#gap:} / 1000 }")"
        ;;
      beep:*)
        local spec="${part#beep:}"
        "${SOX[@]}" -n "${FMT[@]}" "$seg" synth "$(awk "BEGIN { print ${spec#*:} / 1000 }")" sine "${spec%%:*}" vol 0.4
        text="$text${text:+ }<beep ${spec%%:*} Hz>"
        ;;
      chord:*)
        # music on a business line's greeting: three notes at once, fading in and out
        "${SOX[@]}" -n "${FMT[@]}" "$seg" synth "$(awk "BEGIN { print ${part#chord:} / 1000 }")" sine 262 sine 330 sine 392 channels 1 fade 0.1 -0 0.2 vol 0.3
        text="$text${text:+ }<music>"
        ;;
      click:*)
        # a knock or a breath into the handset: a short noise burst
        "${SOX[@]}" -n "${FMT[@]}" "$seg" synth "$(awk "BEGIN { print ${part#click:} / 1000 }")" whitenoise vol 0.3
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
      # A machine's file ends a little after its message, or MACHINE_CUT_MS after it starts
      total=$((speech_end + 500))
      [ "$total" -gt $((lead + MACHINE_CUT_MS)) ] && total=$((lead + MACHINE_CUT_MS))
    else
      total=$((speech_end + tail))
    fi
    "${SOX[@]}" "$tmp/speech.wav" "$tmp/placed.wav" pad "$(awk "BEGIN { print $lead / 1000 }")" "$(awk "BEGIN { t = ($total - $speech_end) / 1000; print (t > 0 ? t : 0) }")" \
      trim 0 "$(awk "BEGIN { print $total / 1000 }")"
  else
    total="$tail"
    "${SOX[@]}" -n "${FMT[@]}" "$tmp/placed.wav" trim 0 "$(awk "BEGIN { print $total / 1000 }")"
  fi
  local secs
  secs="$(awk "BEGIN { print $total / 1000 }")"
  "${SOX[@]}" "$tmp/noise-bed.wav" "$tmp/noise.wav" trim "$(awk "BEGIN { print $noise_offset / 1000 }")" "$secs" gain "$noise"
  noise_offset=$(( (noise_offset + total + 137) % 80000 ))
  # Telephone band, then G.711 µ-law as the wire carries it.
  "${SOX[@]}" -m -v 1 "$tmp/placed.wav" -v 1 "$tmp/noise.wav" -r 8000 -c 1 -e u-law "$out/$name.wav" highpass 200 lowpass 3400
  # A speech end past the cut (a long machine message) is reported as the cut.
  [ "$speech_end" -gt "$total" ] && speech_end="$total"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name.wav" "$expected" "$speech_start" "$speech_end" "$lang" "$text" >> "$labels"
}

H=1200                 # silence kept after a person's greeting: they wait for an answer
M=machine              # a machine's file ends 0.5 s after its message or at the cut below
MACHINE_CUT_MS=3800    # the detector decides well before; keeps the corpus small

# ---- people: short greetings, then they wait
#    name                  exp   lang voice       wpm pitch lead peak noise tail parts
make human-en-hello-1      human en   en+m3       170 50    400  -3   0     $H  "say:Hello?"
make human-en-hello-2      human en   en+f3       160 65    700  -6   5     $H  "say:Hello?"
make human-en-hello-3      human en   en-us+m1    190 40    250  -9   10    $H  "say:Hello?"
make human-en-hello-4      human en   en-us+f2    140 70    900  -4   0     $H  "say:Hello"
make human-en-yes-hello    human en   en+m2       175 45    500  -5   3     $H  "say:Yes," "gap:150" "say:hello?"
make human-en-yeah         human en   en+f4       180 60    300  -8   6     $H  "say:Yeah?"
make human-en-hi-ana       human en   en+f2       175 60    600  -4   0     $H  "say:Hi," "gap:250" "say:this is Ana."
make human-en-hi-ana-pause human en   en-us+f3    160 55    450  -6   4     $H  "say:Hi," "gap:300" "say:Ana speaking."
make human-en-who          human en   en+m4       170 40    350  -3   8     $H  "say:Hello, who's this?"
make human-en-mark         human en   en-us+m3    185 50    800  -7   2     $H  "say:Mark speaking."
make human-en-morning      human en   en+f1       165 70    500  -5   5     $H  "say:Good morning."
make human-en-hello-hello  human en   en+m1       170 50    400  -4   0     900 "say:Hello?" "gap:1000" "say:Hello?"
make human-en-hi-there     human en   en+m7       180 45    300  -10  12    $H  "say:Hi there."
make human-en-speaking     human en   en-us+m2    200 50    600  -3   0     $H  "say:Speaking."
make human-pt-alo-1        human pt   pt+m3       160 50    500  -4   0     $H  "say:Alô?"
make human-pt-alo-2        human pt   pt-br+f3    170 65    300  -7   6     $H  "say:Alô?"
make human-pt-sim          human pt   pt-br+m2    170 45    650  -5   3     $H  "say:Sim," "gap:150" "say:alô?"
make human-pt-ana          human pt   pt-br+f2    165 60    400  -6   0     $H  "say:Olá," "gap:200" "say:é a Ana."
make human-pt-bomdia       human pt   pt+f4       160 70    800  -3   8     $H  "say:Bom dia."
make human-pt-estou        human pt   pt+m1       180 40    350  -8   4     $H  "say:Estou?"
make human-pt-pois-nao     human pt   pt-br+m4    175 50    550  -5   10    $H  "say:Pois não?"
make human-es-hola-1       human es   es+m3       170 50    450  -4   0     $H  "say:¿Hola?"
make human-es-hola-2       human es   es-419+f3   160 65    300  -7   5     $H  "say:¿Hola?"
make human-es-diga         human es   es+m2       180 45    700  -5   2     $H  "say:¿Diga?"
make human-es-digame       human es   es+f2       170 60    500  -6   7     $H  "say:Sí," "gap:150" "say:dígame."
make human-es-bueno        human es   es-419+m1   175 40    350  -3   0     $H  "say:¿Bueno?"
make human-es-ana          human es   es+f4       165 65    600  -5   4     $H  "say:Hola," "gap:250" "say:habla Ana."
make human-es-alo          human es   es-419+m3   185 50    900  -9   10    $H  "say:¿Aló?"
make human-es-buenas       human es   es+f1       160 70    400  -4   3     $H  "say:Buenas tardes."
make human-en-quiet        human en   en+f2       170 60    500  -26  0     $H  "say:Hello?"
make human-en-click-hello  human en   en+m3       170 50    300  -4   3     $H  "click:40" "gap:300" "say:Hello?"
make human-es-loud-line    human es   es+m2       170 45    400  -3   16    $H  "say:¿Sí?"
make human-en-long-hello   human en   en+m3       150 50    500  -5   0     $H  "say:Hello, good afternoon, this is the Silva residence."

# ---- machines: long messages, with and without the beep, and short ones that beep
make machine-en-reached-1  machine en en+f3       170 60    600  -3   0     $M  "say:Hi, you've reached Ana Silva. I can't take your call right now, please leave a message after the tone." "gap:400" "beep:1000:500"
make machine-en-reached-2  machine en en-us+m3    180 45    900  -5   5     $M  "say:Hello, you have reached the voicemail of John Baker. Please leave your name and number."
make machine-en-person     machine en en+m2       165 50    500  -6   3     $M  "say:The person you are calling is not available. Please leave a message after the beep."
make machine-en-office     machine en en-us+f2    175 65    800  -4   8     $M  "say:Thank you for calling Smith and Sons. Our office is now closed. Our hours are nine to five."
make machine-en-hey        machine en en+m7       190 45    400  -8   0     $M  "say:Hey, it's Mike, I can't come to the phone, leave a message."
make machine-en-hello-trick machine en en+f2      170 60    500  -4   2     $M  "say:Hello?" "gap:500" "say:Sorry, I can't take your call, please leave a message."
make machine-en-mailbox    machine en en+m1       160 50    700  -5   6     $M  "say:The mailbox of" "gap:200" "say:five five five, one two three four" "gap:200" "say:is full."
make machine-en-carrier    machine en en-us+f3    170 60    300  -3   0     $M  "say:Your call has been forwarded to an automated voice messaging system." "gap:300" "beep:1400:400"
make machine-en-short-beep-1 machine en en+f4     180 65    600  -6   4     $M  "say:Please leave a message." "gap:300" "beep:1000:600"
make machine-en-short-beep-2 machine en en+m4     170 45    400  -4   0     $M  "say:Leave a message." "gap:250" "beep:850:500"
make machine-en-beep-only  machine en en+m3       170 50    800  -3   2     $M  "beep:1000:800"
make machine-en-beep-440   machine en en+m3       170 50    500  -5   6     $M  "say:Speak after the tone." "gap:300" "beep:440:700"
make machine-en-slow       machine en en+f1       130 55    500  -5   3     $M  "say:Hello. You have reached the Smith family. We are not home."
make machine-en-fast       machine en en-us+m2    220 50    400  -7   8     $M  "say:Hi, this is Dave, I'm away from my desk, leave a message and I'll call you back."
make machine-en-pause      machine en en+m2       170 50    600  -4   0     $M  "say:Hi." "gap:400" "say:This is Karen." "gap:400" "say:Leave a message."
make machine-pt-1          machine pt pt-br+f3    170 60    600  -4   0     $M  "say:Olá, você ligou para a Ana. No momento não posso atender, deixe sua mensagem após o sinal." "gap:300" "beep:1000:500"
make machine-pt-2          machine pt pt+m3       165 50    800  -6   5     $M  "say:O número que marcou não está disponível. Deixe a sua mensagem."
make machine-pt-3          machine pt pt-br+m2    175 45    400  -3   8     $M  "say:Oi, aqui é o Carlos, agora não posso falar, deixa recado."
make machine-pt-4          machine pt pt+f2       160 65    500  -5   2     $M  "say:Bem-vindo ao correio de voz." "gap:300" "beep:1000:500"
make machine-pt-5          machine pt pt-br+f4    180 65    700  -8   0     $M  "say:A pessoa para quem você ligou não está disponível no momento."
make machine-pt-short-beep machine pt pt-br+m1    170 50    500  -4   4     $M  "say:Deixe seu recado." "gap:300" "beep:950:600"
make machine-pt-alo-trick  machine pt pt-br+f2    170 60    400  -5   3     $M  "say:Alô?" "gap:450" "say:Oi, é a Ana, não posso atender agora, deixe um recado."
make machine-es-1          machine es es+m3       170 50    600  -4   0     $M  "say:Hola, has llamado a Carlos. Ahora no puedo atender, deja tu mensaje después de la señal." "gap:300" "beep:1000:500"
make machine-es-2          machine es es-419+f3   165 65    800  -6   5     $M  "say:El número que usted marcó no está disponible. Deje su mensaje."
make machine-es-3          machine es es+f2       175 60    400  -3   8     $M  "say:Bienvenido al buzón de voz de Telefónica." "gap:300" "beep:1000:500"
make machine-es-4          machine es es-419+m2   180 45    500  -5   2     $M  "say:Hola, soy Lucía, no estoy disponible, déjame un mensaje."
make machine-es-5          machine es es+m1       160 40    700  -8   0     $M  "say:Gracias por llamar a nuestra oficina. En este momento estamos cerrados."
make machine-es-short-beep machine es es+f4       170 65    500  -4   4     $M  "say:Deje su mensaje." "gap:300" "beep:1100:600"
make machine-es-hola-trick machine es es+m2       170 50    450  -5   3     $M  "say:¿Hola?" "gap:500" "say:Ahora no puedo atender, deja tu mensaje."
make machine-en-music      machine en en-us+f3    170 60    300  -3   2     $M  "chord:1200" "gap:200" "say:Thank you for calling. Please hold."
make machine-pt-music      machine pt pt-br+f2    170 60    500  -4   5     $M  "chord:800" "say:Obrigado por ligar. Deixe a sua mensagem."
make machine-en-loud-noise machine en en+m3       170 50    600  -3   16    $M  "say:You have reached the voicemail of extension two zero four. Please leave a message."

# ---- nobody speaks: silence and line noise only
make silence-quiet         unknown -  en          170 50    0    -3   -20   3000
make silence-line-1        unknown -  en          170 50    0    -3   0     3000
make silence-line-2        unknown -  en          170 50    0    -3   10    3000
make silence-line-loud     unknown -  en          170 50    0    -3   18    3000
