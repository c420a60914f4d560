import re,sys,os,subprocess
d=sys.argv[1]; site=d+'/site'
js=open(site+'/__wasm_split.js').read()
br=lambda f: int(subprocess.run(f"brotli -q 11 -w 22 -c {f} | wc -c",shell=True,capture_output=True,text=True).stdout)
users={}
for m in re.finditer(r'/\* ([^*]*) \*/\s*const __chunk_(\d+)',js):
    users['chunk_%s.wasm'%m.group(2)]=[u.strip() for u in m.group(1).split(',')]
base=sum(br(site+'/'+f) for f in ['hallpass_bg.wasm','hallpass.js','__wasm_split.js'])+1410+574+153
print('base (main wasm+js+split.js+css+html+favicon):',base)
for f in sorted(os.listdir(site)):
    if f.startswith('split_'):
        name=f[6:-5]; tot=br(site+'/'+f)+sum(br(site+'/'+c) for c,u in users.items() if name in u)
        print(f"{name[:40]:40} chunk+shared {tot:6}  first load {base+tot}")
