#!/usr/bin/env bash
# Generates Tenor's default prompt set with espeak-ng and sox:
#   telephony/prompts/{en,pt-BR,es}/<name>.wav   spoken prompts
#   telephony/prompts/common/{beep,music-on-hold}.wav
#   telephony/prompts/manifest.json             names -> files per language
# Every file is 8 kHz, 16-bit, mono PCM WAV (what the media engine plays without
# resampling, and small enough to commit). `sox -D` turns dither off so that a
# re-run produces the same bytes.
set -euo pipefail
export LC_COLLATE=C  # stable file order in the manifest

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/../prompts}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-prompts: $tool is not installed" >&2; exit 1; }
done

# name|text, one per line, per language. Names are shared across languages.
en_prompts=$(cat <<'EOF'
welcome|Welcome. Thank you for calling.
main-menu|Press 1 for sales, 2 for support, 3 to leave a message.
you-are-number|You are number
in-line|in line.
estimated-wait|Your estimated wait is
minutes|minutes.
leave-message|Please leave a message after the tone.
goodbye|Goodbye.
invalid-option|Invalid option.
agents-busy|All agents are busy.
press-star-callback|Press star to be called back.
will-call-back|We will call you back.
callback-not-possible|We cannot call that number back. Please stay on the line.
office-closed|The office is closed.
thank-you|Thank you.
hundred|hundred
EOF
)
en_numbers=(zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty)
en_tens=(thirty forty fifty sixty seventy eighty ninety)

pt_prompts=$(cat <<'EOF'
welcome|Bem-vindo. Obrigado por ligar.
main-menu|Digite 1 para vendas, 2 para suporte, 3 para deixar uma mensagem.
you-are-number|Você é o número
in-line|na fila.
estimated-wait|Seu tempo estimado de espera é de
minutes|minutos.
leave-message|Por favor, deixe sua mensagem após o sinal.
goodbye|Até logo.
invalid-option|Opção inválida.
agents-busy|Todos os atendentes estão ocupados.
press-star-callback|Digite estrela para receber uma ligação de volta.
will-call-back|Nós retornaremos a sua ligação.
callback-not-possible|Não podemos retornar a ligação para esse número. Por favor, aguarde na linha.
office-closed|O escritório está fechado.
thank-you|Obrigado.
hundred|cem
EOF
)
pt_numbers=(zero um dois três quatro cinco seis sete oito nove dez onze doze treze catorze quinze dezesseis dezessete dezoito dezenove vinte)
pt_tens=(trinta quarenta cinquenta sessenta setenta oitenta noventa)

es_prompts=$(cat <<'EOF'
welcome|Bienvenido. Gracias por llamar.
main-menu|Marque 1 para ventas, 2 para soporte, 3 para dejar un mensaje.
you-are-number|Usted es el número
in-line|en la fila.
estimated-wait|Su tiempo estimado de espera es de
minutes|minutos.
leave-message|Por favor, deje su mensaje después del tono.
goodbye|Adiós.
invalid-option|Opción no válida.
agents-busy|Todos los agentes están ocupados.
press-star-callback|Marque asterisco para que le devolvamos la llamada.
will-call-back|Le devolveremos la llamada.
callback-not-possible|No podemos devolver la llamada a ese número. Por favor, espere en la línea.
office-closed|La oficina está cerrada.
thank-you|Gracias.
hundred|cien
EOF
)
es_numbers=(cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciséis diecisiete dieciocho diecinueve veinte)
es_tens=(treinta cuarenta cincuenta sesenta setenta ochenta noventa)

numbers_names=(zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty)
tens_names=(thirty forty fifty sixty seventy eighty ninety)

# speak VOICE TEXT FILE: espeak-ng renders at 22.05 kHz; sox resamples to 8 kHz
# mono 16-bit and normalises to -3 dBFS so every prompt plays at one level.
speak() {
  local voice="$1" text="$2" file="$3"
  espeak-ng -v "$voice" -s 150 -w "$tmp/raw.wav" -- "$text"
  sox -D "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$file" norm -3
}

manifest_lang() { # LANG DIR: prints the JSON object of one language
  local first=1
  printf '    "%s": {\n' "$1"
  for f in "$2"/*.wav; do
    local name; name="$(basename "$f" .wav)"
    [[ $first -eq 1 ]] || printf ',\n'
    first=0
    printf '      "%s": "%s/%s.wav"' "$name" "$1" "$name"
  done
  printf '\n    }'
}

build_language() { # LANG VOICE PROMPTS NUMBERS_ARRAY TENS_ARRAY
  local lang="$1" voice="$2" prompts="$3"
  local -n nums="$4"
  local -n tens="$5"
  local dir="$out/$lang"
  rm -rf "$dir"; mkdir -p "$dir"
  while IFS='|' read -r name text; do
    [[ -n "$name" ]] && speak "$voice" "$text" "$dir/$name.wav"
  done <<<"$prompts"
  local i
  for i in "${!numbers_names[@]}"; do speak "$voice" "${nums[$i]}" "$dir/${numbers_names[$i]}.wav"; done
  for i in "${!tens_names[@]}"; do speak "$voice" "${tens[$i]}" "$dir/${tens_names[$i]}.wav"; done
  echo "make-prompts: $lang: $(ls "$dir" | wc -l) prompts"
}

build_language en en "$en_prompts" en_numbers en_tens
build_language pt-BR pt-br "$pt_prompts" pt_numbers pt_tens
build_language es es "$es_prompts" es_numbers es_tens

# Common sounds: a 1 kHz beep (0.3 s) and ~20 s of soft music on hold: four
# chords (C, Am, F, G), each a sum of three sines, faded in and out so that the
# loop point is silent-to-silent and does not click.
common="$out/common"
rm -rf "$common"; mkdir -p "$common"
sox -D -n -r 8000 -c 1 -b 16 -e signed-integer "$common/beep.wav" synth 0.3 sine 1000 vol 0.5 fade q 0.01 0.3 0.01
chords=("261.63 329.63 392.00" "220.00 261.63 329.63" "174.61 220.00 261.63" "196.00 246.94 293.66")
parts=()
for i in "${!chords[@]}"; do
  read -r f1 f2 f3 <<<"${chords[$i]}"
  sox -D -n -r 8000 -c 3 -b 16 "$tmp/chord3-$i.wav" synth 5 sine "$f1" sine "$f2" sine "$f3"
  sox -D "$tmp/chord3-$i.wav" -c 1 "$tmp/chord-$i.wav" remix - vol 0.3 fade q 0.6 5 1.2
  parts+=("$tmp/chord-$i.wav")
done
sox -D "${parts[@]}" -r 8000 -c 1 -b 16 -e signed-integer "$common/music-on-hold.wav"
echo "make-prompts: common: beep, music-on-hold"

{
  printf '{\n  "format": "wav-pcm16-8000-mono",\n  "fallbackLanguage": "en",\n  "common": {\n'
  printf '    "beep": "common/beep.wav",\n    "music-on-hold": "common/music-on-hold.wav"\n  },\n'
  printf '  "languages": {\n'
  manifest_lang en "$out/en"; printf ',\n'
  manifest_lang pt-BR "$out/pt-BR"; printf ',\n'
  manifest_lang es "$out/es"; printf '\n'
  printf '  }\n}\n'
} >"$out/manifest.json"
echo "make-prompts: wrote $out/manifest.json ($(du -sh "$out" | cut -f1) total)"
