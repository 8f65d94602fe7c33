/**
 * Test data from the seed paper (West Mercia PCP, 30 November 2017): the HMICFRS inspection
 * "Stolen Freedom", published 24 October 2017, its eleven recommendations (seed ¶15-25, numbered
 * here in the order the paper gives them; seven addressed to forces, seed ¶13), and the people
 * who act on them (seed ¶5, ¶27).
 */
import type { Actor } from '../actor';
import type { RecommendationTerms } from '../recommendation/recommendation.values';

export const INSPECTION_ID = 'stolen-freedom';
export const PUBLISHED_ON = '2017-10-24';
/** The day of the panel meeting. */
export const NOW = '2017-11-30T10:00:00.000Z';

export const strategicLead: Actor = { id: 'u-det-supt', name: 'Det Supt (strategic lead)', role: 'strategic-lead' };
export const tacticalLead: Actor = { id: 'u-det-insp', name: 'DI (tactical lead)', role: 'strategic-lead' };
export const boardChair: Actor = { id: 'u-sib-chair', name: 'Service Improvement Board chair', role: 'board' };
export const boardMember: Actor = { id: 'u-pcc-office', name: "PCC's office", role: 'board' };
/** The strategic lead sitting on the board: the same person, in the board's role. */
export const strategicLeadOnBoard: Actor = { ...strategicLead, role: 'board' };
export const threatDesk: Actor = { id: 'u-fib-ds', name: 'FIB threat desk DS', role: 'intelligence' };

export const STOLEN_FREEDOM_RECOMMENDATIONS: readonly RecommendationTerms[] = [
  { number: 1, addressee: 'nca', area: 'leadership', timescale: 'within-6-months', text: 'Within six months, the NCA and ROCUs should assure themselves that their roles and responsibilities in tackling organised crime groups linked to modern slavery are clear and understood.' },
  { number: 2, addressee: 'forces', area: 'leadership', timescale: 'within-12-months', text: 'Within twelve months, forces should review their leadership and governance arrangements for modern slavery and human trafficking.' },
  { number: 3, addressee: 'nca', area: 'intelligence', timescale: 'within-6-months', text: 'Within six months, the NCA should have a process in place to maximise the use of all the data from the NRM and Duty to Notify forms.' },
  { number: 4, addressee: 'forces', area: 'intelligence', timescale: 'within-6-months', text: 'Within six months, forces should have in place active information-sharing agreements with other agencies.' },
  { number: 5, addressee: 'forces', area: 'victim-identification-and-initial-response', timescale: 'immediately', text: 'Immediately, forces should ensure that victims carrying out criminal acts under compulsion are afforded consideration of the section 45 defence.' },
  { number: 6, addressee: 'forces', area: 'victim-identification-and-initial-response', timescale: 'immediately', text: 'Immediately, forces should take steps to ensure they are fully compliant with the NRM process and the duty to notify.' },
  { number: 7, addressee: 'forces', area: 'crime-recording', timescale: 'immediately', text: 'Immediately, forces should take steps to ensure they fully comply with NCRS requirements for modern slavery offences.' },
  { number: 8, addressee: 'forces', area: 'investigation', timescale: 'immediately', text: 'Immediately, forces should ensure that allegations of modern slavery are thoroughly investigated and effectively supervised.' },
  { number: 9, addressee: 'forces', area: 'prevention', timescale: 'immediately', text: 'Immediately, forces should review their use of preventative powers under the Modern Slavery Act 2015.' },
  { number: 10, addressee: 'college-of-policing', area: 'learning', timescale: 'within-12-months', text: 'Within twelve months, the College of Policing should ensure that forces are provided with high-quality, legally-validated learning products.' },
  { number: 11, addressee: 'college-of-policing', area: 'learning', timescale: 'within-12-months', text: 'Within twelve months, the College of Policing should work to improve knowledge and expertise in investigators up to SIO level.' },
];
