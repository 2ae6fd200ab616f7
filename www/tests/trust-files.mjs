// Files a consultant meets on a client's site, made in the test: odd headers, headers that say
// nothing, a workbook whose first sheet is notes, an image renamed .csv, orders without a date.

import { crc32, deflateRawSync } from 'node:zlib';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A zip of the given files (deflated), as XLSX readers take it. @param {[string, string][]} entries */
export function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const raw = Buffer.from(text, 'utf8');
    const data = deflateRawSync(raw);
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(raw.length, 22); local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(0x0800, 8); central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(raw.length, 24); central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const colName = (i) => { let s = ''; for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s; return s; };

/** A workbook of named sheets, each rows of strings (inline strings). @param {[string, string[][]][]} sheets */
export function xlsx(sheets) {
  const sheetXml = (rows) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${
    rows.map((r, i) => `<row r="${i + 1}">${r.map((c, j) => `<c r="${colName(j)}${i + 1}" t="inlineStr"><is><t>${esc(c)}</t></is></c>`).join('')}</row>`).join('')}</sheetData></worksheet>`;
  return zip([
    ['[Content_Types].xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${
      sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')}</Types>`],
    ['_rels/.rels', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'],
    ['xl/workbook.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${
      sheets.map(([name], i) => `<sheet name="${esc(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`],
    ['xl/_rels/workbook.xml.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${
      sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}</Relationships>`],
    ...sheets.map(([, rows], i) => /** @type {[string, string]} */ ([`xl/worksheets/sheet${i + 1}.xml`, sheetXml(rows)])),
  ]);
}

/** A valid 1×1 PNG. */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

const ORDER_ROWS = [
  ['13985418353', '2024-03-01 10:00:00', '128.50', '上海静安店'],
  ['13985418353', '2024-05-11 12:30:00', '66.00', '上海静安店'],
  ['13700001111', '2024-04-02 09:15:00', '300.00', '杭州西溪店'],
  ['13600002222', '2024-06-20 18:45:00', '88.80', '杭州西溪店'],
];

/** Write the test files into a fresh temporary directory; returns their paths by name. */
export function makeFiles() {
  const dir = mkdtempSync(path.join(tmpdir(), 'memberlens-trust-'));
  const files = {
    odd: ['odd_headers.csv', ['客户手机,消费时间,金额,门店', ...ORDER_ROWS.map((r) => r.join(','))].join('\n') + '\n'],
    cols: ['cols.csv', ['col1,col2,col3', 'a,1,x', 'b,2,y', 'c,3,z'].join('\n') + '\n'],
    notes: ['notes_first.xlsx', xlsx([
      ['说明', [['本表由系统导出，仅供内部使用'], ['导出时间：2024-07-01']]],
      ['订单', [['手机号', '下单时间', '实付金额', '门店'], ...ORDER_ROWS]],
    ])],
    png: ['picture.csv', PNG],
    nodate: ['orders_no_date.csv', ['订单号,手机号,实付金额,门店', 'A1,13985418353,128.50,上海静安店', 'A2,13700001111,300.00,杭州西溪店', 'A3,13600002222,88.80,杭州西溪店'].join('\n') + '\n'],
  };
  /** @type {Record<string, string>} */
  const paths = {};
  for (const [key, [name, body]] of Object.entries(files)) {
    paths[key] = path.join(dir, name);
    writeFileSync(paths[key], body);
  }
  return { dir, paths };
}
