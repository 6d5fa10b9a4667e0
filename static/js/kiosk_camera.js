// A badge read by the tablet's camera (issue 21), beside the USB scanner: "Use camera" shows what the camera sees,
// and the first QR code found in it is the badge, sent as the scanner would send it. The browser's own
// BarcodeDetector reads it where it has one (Chromium on Android, ChromeOS, macOS); elsewhere jsQR (vendored,
// static/vendor/jsqr) reads the video's frames. window.kioskBadgeCamera.decoder says which one this tablet uses.
(() => {
  const button = document.getElementById("kiosk-camera");
  const field = document.getElementById("kiosk-badge");
  const video = document.getElementById("kiosk-camera-video");
  const status = document.getElementById("kiosk-camera-status");
  if (!button || !field || !video || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  button.hidden = false;  // no camera API (an insecure page, an old browser): the scanner and the PIN remain
  const canvas = document.createElement("canvas");
  let stream = null;
  let detector = null;
  let decoder = "jsqr";

  async function pickDecoder() {
    if ("BarcodeDetector" in window) {
      try {
        if ((await window.BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
          detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          decoder = "barcode-detector";
        }
      } catch (_unsupported) { detector = null; }
    }
    window.kioskBadgeCamera.decoder = decoder;
  }

  // The badge code in one image (a video, an <img>, a canvas), or null.
  async function decode(source) {
    if (detector) {
      const codes = await detector.detect(source);
      return codes.length ? codes[0].rawValue : null;
    }
    const width = source.videoWidth || source.naturalWidth || source.width;
    const height = source.videoHeight || source.naturalHeight || source.height;
    if (!width || !height || !window.jsQR) { return null; }
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, width, height);
    const found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height);
    return found && found.data ? found.data : null;
  }

  function stop() {
    if (stream) { stream.getTracks().forEach((t) => t.stop()); }
    stream = null;
    video.hidden = true;
    button.textContent = "Use camera";
    button.setAttribute("aria-pressed", "false");
  }

  async function look() {
    if (!stream) { return; }
    const code = video.readyState >= 2 ? await decode(video) : null;
    if (code) {
      stop();
      status.textContent = "Badge read.";
      field.value = code;
      field.form.requestSubmit();
      return;
    }
    setTimeout(look, 200);
  }

  button.addEventListener("click", async () => {
    if (stream) { stop(); status.textContent = ""; return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (error) {
      status.textContent = "The camera cannot be used here. Use the scanner or your PIN.";
      return;
    }
    await pickDecoder();
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    button.textContent = "Stop camera";
    button.setAttribute("aria-pressed", "true");
    status.textContent = "Hold your badge in front of the camera.";
    look();
  });

  window.kioskBadgeCamera = { decode, decoder };
})();
